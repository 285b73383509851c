using Microsoft.Extensions.Logging;

namespace Serverless.Core.Jobs;

/// <summary>
/// Watches a job while one of its shards is scored: every Jobs:CancellationCheckSeconds it reads the job's state, and
/// once the job is cancelled it cancels <see cref="Token"/>, so the shard stops at its next batch instead of scoring
/// rows nobody will be billed for. A failed read is logged and tried again at the next tick: watching never fails a shard.
/// </summary>
public sealed class JobCancellationWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancelled;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    private JobCancellationWatch(IJobStore store, string jobId, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        _cancelled = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _watching = WatchAsync(store, jobId, interval, time, logger);
    }

    /// <summary>Cancelled when the job is cancelled, or when <c>stoppingToken</c> is.</summary>
    public CancellationToken Token => _cancelled.Token;

    /// <summary>Whether the watch saw the job cancelled (and not the instance stopping).</summary>
    public bool JobCancelled { get; private set; }

    public static JobCancellationWatch Start(IJobStore store, string jobId, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stoppingToken) =>
        new(store, jobId, interval, time, logger, stoppingToken);

    private async Task WatchAsync(IJobStore store, string jobId, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    if ((await store.GetAsync(jobId, _stop.Token))?.State == JobState.Cancelled)
                    {
                        JobCancelled = true;
                        await _cancelled.CancelAsync();
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Reading the state of job {JobId} failed; looking again in {Interval}", jobId, interval);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
        _cancelled.Dispose();
    }
}
