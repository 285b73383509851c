using System.Diagnostics;

namespace Serverless.Core.Inference;

/// <summary>
/// Cumulative counts and durations for one model version, in the shape of Triton's statistics extension, so a
/// slow request can be explained as queueing, input preparation, inference or output copying.
/// </summary>
/// <param name="time">The clock of last_inference: <see cref="TimeProvider.System"/> in the app.</param>
public sealed class ModelStatistics(TimeProvider time)
{
    private long _successCount, _successTicks, _failCount, _failTicks;
    private long _queueTicks, _inputTicks, _inferTicks, _outputTicks;
    private long _inferenceCount, _executionCount, _lastInferenceMs;

    public void RecordSuccess(long totalTicks, long queueTicks, SessionRunResult run, long batchSize)
    {
        Interlocked.Increment(ref _successCount);
        Interlocked.Add(ref _successTicks, totalTicks);
        Interlocked.Add(ref _queueTicks, queueTicks);
        Interlocked.Add(ref _inputTicks, run.InputTicks);
        Interlocked.Add(ref _inferTicks, run.InferTicks);
        Interlocked.Add(ref _outputTicks, run.OutputTicks);
        Interlocked.Add(ref _inferenceCount, batchSize);
        if (run.CountsExecution)
        {
            Interlocked.Increment(ref _executionCount);
        }
        Volatile.Write(ref _lastInferenceMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public void RecordFailure(long totalTicks)
    {
        Interlocked.Increment(ref _failCount);
        Interlocked.Add(ref _failTicks, totalTicks);
        Volatile.Write(ref _lastInferenceMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public ModelStatisticsSnapshot Snapshot() => new(
        Volatile.Read(ref _lastInferenceMs),
        Volatile.Read(ref _inferenceCount),
        Volatile.Read(ref _executionCount),
        new(Volatile.Read(ref _successCount), Nanoseconds(ref _successTicks)),
        new(Volatile.Read(ref _failCount), Nanoseconds(ref _failTicks)),
        new(Volatile.Read(ref _successCount), Nanoseconds(ref _queueTicks)),
        new(Volatile.Read(ref _successCount), Nanoseconds(ref _inputTicks)),
        new(Volatile.Read(ref _successCount), Nanoseconds(ref _inferTicks)),
        new(Volatile.Read(ref _successCount), Nanoseconds(ref _outputTicks)));

    private static long Nanoseconds(ref long ticks) => (long)(Volatile.Read(ref ticks) * (1_000_000_000.0 / Stopwatch.Frequency));
}
