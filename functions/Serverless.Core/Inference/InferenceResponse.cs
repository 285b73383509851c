namespace Serverless.Core.Inference;

public sealed record InferenceResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<InferenceTensor> Outputs)
{
    /// <summary>Execution provider the model ran on, for metering and logs.</summary>
    public string ExecutionProvider { get; init; } = "";
}
