using System.Buffers;
using Serverless.Core.Batching;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Tests.Fakes;

/// <summary>Opens <see cref="FakeSession"/>s and remembers each one with its layout, so tests can count and inspect them.</summary>
internal sealed class FakeSessionFactory : IModelSessionFactory
{
    private readonly List<FakeSession> _opened = [];

    public IReadOnlyList<FakeSession> Opened { get { lock (_opened) { return [.. _opened]; } } }

    /// <summary>The provider each model gets, so a test can put some models "on the GPU"; asked just before each open.</summary>
    public Func<ModelKey, ExecutionProvider> ExecutionProviderOf { get; set; } = _ => ExecutionProvider.Cpu;

    /// <summary>Where opened sessions rent their outputs, so a test can count the arrays not given back.</summary>
    public ArrayPool<byte>? OutputPool { get; set; }

    /// <summary>What opened sessions declare; x and y FP32 [-1] unless set.</summary>
    public IReadOnlyList<TensorMetadata>? Inputs { get; set; }

    public IReadOnlyList<TensorMetadata>? Outputs { get; set; }

    /// <summary>Every Run of an opened session waits on it, when set.</summary>
    public SemaphoreSlim? RunGate { get; set; }

    public ExecutionProvider ProviderFor(ModelKey key, ModelConfig config) => ExecutionProviderOf(key);

    public IModelSession Open(ModelKey key, ModelFile file, ModelConfig config, BatchingLayout layout)
    {
        var session = new FakeSession(key, layout.Provider, OutputPool) { Layout = layout, Gate = RunGate };
        if (Inputs is not null)
        {
            session.Inputs = Inputs;
        }
        if (Outputs is not null)
        {
            session.Outputs = Outputs;
        }
        lock (_opened)
        {
            _opened.Add(session);
        }
        return session;
    }
}

/// <summary>Echoes its first input as y, in pooled arrays, and records the rows of every Run; can hold Runs until released.</summary>
internal sealed class FakeSession(ModelKey key, ExecutionProvider executionProvider = ExecutionProvider.Cpu, ArrayPool<byte>? outputPool = null) : IModelSession
{
    private readonly List<long> _runRows = [];

    public ModelKey Key { get; } = key;

    public BatchingLayout? Layout { get; init; }

    public SemaphoreSlim? Gate { get; init; }

    public bool Disposed { get; private set; }

    public ExecutionProvider ExecutionProvider => executionProvider;

    public IReadOnlyList<TensorMetadata> Inputs { get; set; } = [new("x", TensorDataType.FP32, [-1])];

    public IReadOnlyList<TensorMetadata> Outputs { get; set; } = [new("y", TensorDataType.FP32, [-1])];

    /// <summary>The first dimension of every Run's first input, in order.</summary>
    public long[] RunRows { get { lock (_runRows) { return [.. _runRows]; } } }

    public SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames)
    {
        lock (_runRows)
        {
            _runRows.Add(inputs[0].Shape.Length > 0 ? inputs[0].Shape[0] : 1);
        }
        Gate?.Wait();
        var buffers = new PooledTensorBuffers(outputPool);
        var data = buffers.Rent(inputs[0].Data.Length);
        inputs[0].Data.CopyTo(data);
        return new SessionRunResult([inputs[0] with { Name = "y", Data = data }], 0, 0, 0) { Buffers = buffers };
    }

    public void Dispose() => Disposed = true;
}
