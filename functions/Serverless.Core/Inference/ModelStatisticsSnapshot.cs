namespace Serverless.Core.Inference;

/// <summary>A count and its cumulative duration, as Triton reports them.</summary>
public readonly record struct DurationStatistic(long Count, long Ns);

public sealed record ModelStatisticsSnapshot(
    long LastInferenceMs,
    long InferenceCount,
    long ExecutionCount,
    DurationStatistic Success,
    DurationStatistic Fail,
    DurationStatistic Queue,
    DurationStatistic ComputeInput,
    DurationStatistic ComputeInfer,
    DurationStatistic ComputeOutput);
