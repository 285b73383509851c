namespace Serverless.Core.Inference;

/// <summary>An opened model that can run inferences; thread-safe for concurrent <see cref="Run"/> calls.</summary>
public interface IModelSession : IDisposable
{
    /// <summary>Execution provider the session runs on (e.g. CPUExecutionProvider).</summary>
    string ExecutionProvider { get; }

    /// <summary>The inputs a request must send.</summary>
    IReadOnlyList<TensorMetadata> Inputs { get; }

    /// <summary>
    /// Inputs a request may leave out: initializers the graph also lists as inputs (overridable defaults) and inputs of
    /// ONNX's optional type. Never part of <see cref="Inputs"/>.
    /// </summary>
    IReadOnlyList<TensorMetadata> OptionalInputs => [];

    IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>Runs the model. Inputs are already validated against <see cref="Inputs"/>; outputs come back in the order asked.</summary>
    SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames);
}
