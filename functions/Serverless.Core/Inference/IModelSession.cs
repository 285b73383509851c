namespace Serverless.Core.Inference;

/// <summary>An opened model that can run inferences; thread-safe for concurrent <see cref="Run"/> calls.</summary>
public interface IModelSession : IDisposable
{
    /// <summary>Execution provider the session runs on (e.g. CPUExecutionProvider).</summary>
    string ExecutionProvider { get; }

    IReadOnlyList<TensorMetadata> Inputs { get; }

    IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>Runs the model. Inputs are already validated against <see cref="Inputs"/>; outputs come back in the order asked.</summary>
    SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames);
}
