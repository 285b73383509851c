namespace Serverless.Core.Inference;

/// <summary>One inference call: its inputs and, optionally, the outputs the caller wants back (all when empty).</summary>
public sealed record InferenceRequest(string? Id, IReadOnlyList<InferenceTensor> Inputs, IReadOnlyList<string> RequestedOutputs);
