namespace Serverless.Core.Inference;

public sealed record ModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<TensorMetadata> Inputs,
    IReadOnlyList<TensorMetadata> Outputs,
    string ExecutionProvider);
