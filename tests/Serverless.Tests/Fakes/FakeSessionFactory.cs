using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Tests.Fakes;

/// <summary>Opens <see cref="FakeSession"/>s and remembers each one, so tests can count and inspect them.</summary>
internal sealed class FakeSessionFactory : IModelSessionFactory
{
    private readonly List<FakeSession> _opened = [];

    public IReadOnlyList<FakeSession> Opened { get { lock (_opened) { return [.. _opened]; } } }

    /// <summary>The provider each opened session reports, so a test can put some models "on the GPU".</summary>
    public Func<ModelKey, string> ExecutionProviderOf { get; set; } = _ => "FakeExecutionProvider";

    public IModelSession Open(ModelKey key, ModelFile file, ModelConfig config)
    {
        var session = new FakeSession(key, ExecutionProviderOf(key));
        lock (_opened)
        {
            _opened.Add(session);
        }
        return session;
    }
}

internal sealed class FakeSession(ModelKey key, string executionProvider = "FakeExecutionProvider") : IModelSession
{
    public ModelKey Key { get; } = key;

    public bool Disposed { get; private set; }

    public string ExecutionProvider => executionProvider;

    public IReadOnlyList<TensorMetadata> Inputs { get; } = [new("x", TensorDataType.FP32, [-1])];

    public IReadOnlyList<TensorMetadata> Outputs { get; } = [new("y", TensorDataType.FP32, [-1])];

    public SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames) =>
        new([inputs[0] with { Name = "y" }], 0, 0, 0);

    public void Dispose() => Disposed = true;
}
