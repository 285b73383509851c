using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Metering;

/// <summary>
/// Group commit: callers put records on a channel and wait; one writer takes whatever has arrived (up to
/// Metering:MaxBatchSize records or Metering:FlushIntervalMilliseconds of collecting), commits it to the store
/// in one go and then releases every waiter of that group. So each record is durable before its call is
/// answered, yet the store sees one transaction per group instead of one per call.
/// </summary>
public sealed class UsageLedger : BackgroundService, IUsageLedger
{
    private readonly Channel<Pending> _channel;
    private readonly IUsageStore _store;
    private readonly ServerlessMetrics _metrics;
    private readonly ILogger _logger;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _flushInterval;
    // Records written to the channel and not yet taken, and the signal a producer gives when they make a full group.
    private readonly SemaphoreSlim _groupFull = new(0);
    private int _queued;

    private sealed record Pending(UsageRecord Record, TaskCompletionSource Done);

    public UsageLedger(IUsageStore store, IOptions<MeteringOptions> options, ServerlessMetrics metrics, ILogger<UsageLedger> logger)
    {
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _maxBatchSize = options.Value.MaxBatchSize;
        _flushInterval = TimeSpan.FromMilliseconds(options.Value.FlushIntervalMilliseconds);
        // Bounded, so a store that stalls pushes back on callers instead of queueing records without limit.
        _channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_maxBatchSize * 8)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public async Task AppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _channel.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new UsageLedgerUnavailableException("the usage ledger is shutting down; the call was not recorded", e);
        }
        if (Interlocked.Increment(ref _queued) >= _maxBatchSize && _groupFull.CurrentCount == 0)
        {
            _groupFull.Release();
        }
        // NOTE: not cancellable once queued: the record is written whether or not the caller is still there.
        await pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _channel.Reader;
        var batch = new List<Pending>(_maxBatchSize);
        // The loop ends when StopAsync completes the channel and every queued record has been written.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            await FillAsync(reader, batch);
            await FlushAsync(batch);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (ExecuteTask is { } writer)
        {
            await writer.WaitAsync(cancellationToken);
        }
        await base.StopAsync(cancellationToken);
    }

    /// <summary>
    /// Takes what has arrived and, while the group is not full, waits up to the flush interval (counted from the
    /// group's first record) for more. Longer intervals mean fewer, larger commits at the price of that much latency;
    /// 0 commits at once whatever is there, and records arriving during a commit form the next group.
    /// </summary>
    /// <remarks>
    /// One timed wait per group, ended early only by a full group: waking the writer for every arriving record
    /// (a channel wait and a timer each) cost more CPU per call than the rest of the ledger.
    /// </remarks>
    private async Task FillAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        Drain(reader, batch);
        if (batch.Count >= _maxBatchSize || _flushInterval <= TimeSpan.Zero)
        {
            return;
        }
        while (_groupFull.CurrentCount > 0 && _groupFull.Wait(0))
        {
            // A stale signal from a group already committed.
        }
        if (Volatile.Read(ref _queued) < _maxBatchSize)
        {
            await _groupFull.WaitAsync(_flushInterval);
        }
        Drain(reader, batch);
    }

    private void Drain(ChannelReader<Pending> reader, List<Pending> batch)
    {
        var before = batch.Count;
        while (batch.Count < _maxBatchSize && reader.TryRead(out var item))
        {
            batch.Add(item);
        }
        Interlocked.Add(ref _queued, before - batch.Count);
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = ServerlessActivities.Source.StartActivity("usage.flush");
        activity?.SetTag("serverless.usage.records", batch.Count);
        var records = batch.Select(p => p.Record).ToList();
        try
        {
            await _store.AppendAsync(records);
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }
            _metrics.RecordLedgerFlush(batch.Count, Stopwatch.GetElapsedTime(started), succeeded: true);
        }
        catch (Exception e)
        {
            var failed = (e as UsageStoreException)?.FailedRecordIds;
            _logger.LogError(e, "Writing {Count} usage records failed ({Failed} not written)", batch.Count, failed?.Count ?? batch.Count);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            var error = new UsageLedgerUnavailableException($"the usage record could not be written: {e.Message}", e) { RetryAfterSeconds = 1 };
            foreach (var pending in batch)
            {
                if (failed is null || failed.Contains(pending.Record.Id))
                {
                    pending.Done.TrySetException(error);
                }
                else
                {
                    pending.Done.TrySetResult();
                }
            }
            _metrics.RecordLedgerFlush(batch.Count, Stopwatch.GetElapsedTime(started), succeeded: false);
        }
    }
}
