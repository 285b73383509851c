namespace Serverless.Core.Inference;

/// <summary>Outputs of one run, and where its time went (Stopwatch ticks), for the statistics extension.</summary>
public sealed record SessionRunResult(IReadOnlyList<InferenceTensor> Outputs, long InputTicks, long InferTicks, long OutputTicks);
