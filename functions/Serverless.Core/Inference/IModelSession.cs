namespace Serverless.Core.Inference;

/// <summary>
/// An opened model that can run inferences; thread-safe for concurrent <see cref="Run"/> calls. Only a scheduler
/// (<see cref="Batching.IModelScheduler"/>) calls <see cref="Run"/>; everyone else runs a model through
/// <see cref="Cache.LoadedModel.RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, CancellationToken)"/>.
/// </summary>
public interface IModelSession : IDisposable
{
    ExecutionProvider ExecutionProvider { get; }

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
