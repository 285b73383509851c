using System.Diagnostics;
using System.Threading.Channels;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Batching;

/// <summary>
/// One model version's request queue. Workers take the oldest request, wait up to max_queue_delay_us for more with
/// the same <see cref="BatchSignature"/> (or until a preferred or the largest batch size is reached), run them as one
/// batch along the first dimension and hand each request its rows of every output. The queue is bounded: a full
/// queue sheds new requests with 503 instead of growing memory.
/// </summary>
/// <remarks>
/// Without a configured max_queue_delay_us the wait is half the model's recent Run time, at most
/// <see cref="MaxAutomaticQueueDelayUs"/>: waiting costs the first request at most half a Run more than running at
/// once, whatever the model. A fixed default did not fit both ends: 1 ms doubled a small model's latency at one
/// client (no company ever comes, every request waits the whole delay), and a Run of several milliseconds on one
/// instance left batches half full while the previous batch's answers were still being written.
/// </remarks>
public sealed class DynamicBatcher : IModelScheduler
{
    public const int MaxAutomaticQueueDelayUs = 2000;

    private readonly ModelKey _key;
    private readonly IModelSession _session;
    // Every wait and timeout is measured on this clock's timestamps (the system's Stopwatch in the app), so a test can
    // move time instead of waiting for it.
    private readonly TimeProvider _time;
    // Queue times leave the batcher in Stopwatch ticks, the unit of the statistics: exactly 1 on the system clock.
    private readonly double _stopwatchTicksPerTick;
    private readonly DynamicBatchingConfig _config;
    private readonly int _maxBatchSize;
    private readonly int _largestPreferred;
    private readonly Channel<PendingRequest> _queue;
    // Set by a producer whose write brings the queued rows up to what the waiting gatherer asked for (_wakeAtRows).
    // No spinning before the kernel wait: a gatherer waits for arrivals or a deadline a millisecond off, and every spin
    // round's sched_yield is a system call (measured in the batcher threads' profile under 32 clients).
    private readonly ManualResetEventSlim _arrived = new(false, spinCount: 0);
    // Rows written to the queue and not yet read by a worker (briefly low while a write has not added its rows yet).
    private long _queuedRows;
    // The queued rows at which a producer wakes the gatherer: 1 while it waits for a batch's first request, the rows
    // its batch still lacks while it waits for company, long.MaxValue while nobody waits. Waking the gatherer for each
    // arrival during its delay cost a futex wake and two context switches per request, and changed no batch: it only
    // runs early when the batch is full.
    private long _wakeAtRows = long.MaxValue;
    private readonly Thread[] _workers;
    // Held by the one instance that forms the next batch; the other idle instances wait here, not on the queue.
    // Two instances gathering at once split the same arrivals between them: measured from outside (heavy MLP, 2
    // instances, 32 clients) batches averaged 13 of the 16 rows each could have had, and a small batch costs more
    // ONNX Runtime CPU per row (RESULTS.md, issue 26). One gatherer takes every arrival of its window.
    private readonly Lock _gathering = new();
    private readonly long _fixedDelayTicks;
    // A request older than this when its batch starts is rejected: the configured timeout with timeout_action reject, else never.
    private readonly long _rejectAfterTicks;
    private readonly long _maxAutomaticDelayTicks;
    // Smoothed duration of this model's Runs (timestamp ticks), for the automatic queue delay. Workers update it
    // without a lock: a lost update among concurrent instances only skips one sample of an average.
    private long _smoothedRunTicks;
    private volatile bool _stopping;

    /// <param name="time">The clock of queue delays and timeouts: <see cref="TimeProvider.System"/> in the app.</param>
    /// <param name="instances">Batches run at once (<see cref="BatchingLayout.Instances"/>): one worker thread each.</param>
    public DynamicBatcher(ModelKey key, IModelSession session, DynamicBatchingConfig config, int modelMaxBatchSize, TimeProvider time, int instances = 1)
    {
        _key = key;
        _session = session;
        _config = config;
        _time = time;
        _stopwatchTicksPerTick = (double)Stopwatch.Frequency / time.TimestampFrequency;
        var ticksPerMicrosecond = time.TimestampFrequency / 1_000_000.0;
        _maxAutomaticDelayTicks = (long)(MaxAutomaticQueueDelayUs * ticksPerMicrosecond);
        _maxBatchSize = config.MaxBatchSize > 0 ? config.MaxBatchSize : modelMaxBatchSize > 0 ? modelMaxBatchSize : 64;
        _largestPreferred = config.PreferredBatchSizes.Where(p => p <= _maxBatchSize).DefaultIfEmpty(_maxBatchSize).Max();
        _fixedDelayTicks = config.MaxQueueDelayUs is { } us ? (long)(Math.Max(0, us) * ticksPerMicrosecond) : -1;
        _rejectAfterTicks = config.DefaultTimeoutUs > 0 && config.TimeoutAction == QueueTimeoutAction.Reject
            ? (long)(config.DefaultTimeoutUs * ticksPerMicrosecond) : long.MaxValue;
        InstanceCount = Math.Max(1, instances);
        _queue = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(Math.Max(1, config.MaxQueueSize))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = InstanceCount == 1,
        });
        // Workers are threads of their own, not thread-pool work: a batch blocks in ONNX Runtime for its whole run, and
        // a worker waiting for company must wake when a request arrives, not when the busy pool gets round to it
        // (measured: the pool's timers and queue put batches of 32 behind request work and shrank them).
        _workers = Enumerable.Range(0, InstanceCount)
            .Select(i => new Thread(Work) { IsBackground = true, Name = $"batcher {key} #{i}" }).ToArray();
        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>Batches that run at once: one worker thread each.</summary>
    public int InstanceCount { get; }

    /// <summary>How long the oldest request of a batch waits for company now: the configured delay, or the automatic one.</summary>
    public TimeSpan QueueDelay => _time.GetElapsedTime(0, QueueDelayTicks);

    private long QueueDelayTicks => _fixedDelayTicks >= 0 ? _fixedDelayTicks : Math.Min(_maxAutomaticDelayTicks, Volatile.Read(ref _smoothedRunTicks) / 2);

    public async Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var signature = BatchSignature.Of(inputs, outputNames);
        if (signature.Rows is null or 0 || signature.Rows > _maxBatchSize)
        {
            return _session.Run(inputs, outputNames);
        }
        var pending = new PendingRequest(inputs, outputNames, signature, _time.GetTimestamp(), cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ModelOverloadedException($"model {_key} is saturated: {_config.MaxQueueSize} requests already wait for it");
        }
        // Interlocked on both sides (here and in WaitForRows) so that a gatherer about to wait and a producer about to
        // write cannot both miss the other: one of them sees the other's update.
        if (Interlocked.Add(ref _queuedRows, signature.Rows.Value) >= Volatile.Read(ref _wakeAtRows) && !_arrived.IsSet)
        {
            _arrived.Set();
        }
        return await pending.Completion.Task;
    }

    private void Work()
    {
        var carried = new List<PendingRequest>();
        var batch = new List<PendingRequest>(_maxBatchSize);
        while (!_stopping)
        {
            lock (_gathering)
            {
                if (!TakeOldest(carried))
                {
                    continue;
                }
                Gather(carried, batch);
            }
            Execute(batch);
            batch.Clear();
        }
        foreach (var request in carried)
        {
            request.Completion.TrySetException(new ModelOverloadedException($"model {_key} was unloaded while the request waited"));
        }
    }

    /// <summary>
    /// Waits for a request unless one is carried over; false when woken without one (stopping, or a Set that another
    /// read already answered), so the caller looks again.
    /// </summary>
    private bool TakeOldest(List<PendingRequest> carried)
    {
        if (carried.Count > 0)
        {
            return true;
        }
        // Only the gatherer waits on the event, so a Set always wakes the one worker that can take the request.
        _arrived.Reset();
        if (TryTake(out var next))
        {
            carried.Add(next);
            return true;
        }
        if (_stopping)
        {
            // Dispose set _stopping before its Set: an instance that took the lock after that Set must not wait for another.
            return false;
        }
        WaitForRows(1, Timeout.Infinite);
        return false;
    }

    private bool TryTake(out PendingRequest request)
    {
        if (!_queue.Reader.TryRead(out request!))
        {
            return false;
        }
        Interlocked.Add(ref _queuedRows, -request.Signature.Rows!.Value);
        return true;
    }

    /// <summary>
    /// Waits (after a <c>Reset</c> of the event) until the queue holds <paramref name="rows"/> rows, the timeout passes
    /// or Dispose wakes every worker. A write that brings the queue to <paramref name="rows"/> after the Reset ends the wait.
    /// </summary>
    private void WaitForRows(long rows, int timeoutMs)
    {
        Interlocked.Exchange(ref _wakeAtRows, Math.Max(1, rows));
        if (Interlocked.Read(ref _queuedRows) < rows && !_stopping)
        {
            _arrived.Wait(timeoutMs);
        }
        Volatile.Write(ref _wakeAtRows, long.MaxValue);
    }

    /// <summary>Fills <paramref name="batch"/> with the oldest request and its compatible company.</summary>
    private void Gather(List<PendingRequest> carried, List<PendingRequest> batch)
    {
        var first = carried[0];
        carried.RemoveAt(0);
        batch.Add(first);
        var rows = first.Signature.Rows!.Value;
        // Requests read earlier but not compatible with the batch they met get the next chance, oldest first.
        for (var i = 0; i < carried.Count && rows < _maxBatchSize; i++)
        {
            if (Fits(carried[i], first, rows))
            {
                rows += carried[i].Signature.Rows!.Value;
                batch.Add(carried[i]);
                carried.RemoveAt(i--);
            }
        }
        var deadline = first.EnqueuedAt + QueueDelayTicks;
        while (rows < _largestPreferred && !_config.PreferredBatchSizes.Contains((int)rows) && !_stopping)
        {
            _arrived.Reset();
            if (TryTake(out var next))
            {
                if (Fits(next, first, rows))
                {
                    rows += next.Signature.Rows!.Value;
                    batch.Add(next);
                }
                else
                {
                    carried.Add(next);
                    if (carried.Count >= _maxBatchSize)
                    {
                        break;
                    }
                }
                continue;
            }
            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }
            if (remaining >= TimeSpan.FromMilliseconds(1))
            {
                // Whole milliseconds only (the wait's resolution); the loop comes back for the rest. Woken early only
                // by the rows that complete a preferred batch size (or the largest): before that the batch waits anyway.
                WaitForRows(RowsToPreferred(rows), (int)remaining.TotalMilliseconds);
            }
            else if (_fixedDelayTicks < 0)
            {
                // The automatic delay never spins: under a millisecond no timed wait is that fine, and a worker
                // yielding in a loop kept a core from the request work its batch was waiting for (2 cores, 32
                // clients: a gathering instance spun for most of the delay). It runs what it has.
                break;
            }
            else
            {
                // A configured sub-millisecond delay is kept as asked: give the core to whoever is runnable and look again.
                Thread.Yield();
            }
        }
    }

    /// <summary>The rows a batch of <paramref name="rows"/> still lacks to reach the next preferred size (or the largest).</summary>
    private long RowsToPreferred(long rows)
    {
        var target = (long)_largestPreferred;
        foreach (var size in _config.PreferredBatchSizes)
        {
            if (size > rows && size < target)
            {
                target = size;
            }
        }
        return target - rows;
    }

    private bool Fits(PendingRequest candidate, PendingRequest first, long rows) =>
        candidate.Signature.Key == first.Signature.Key && rows + candidate.Signature.Rows!.Value <= _maxBatchSize;

    private void Execute(List<PendingRequest> batch)
    {
        var started = _time.GetTimestamp();
        batch.RemoveAll(request =>
        {
            if (request.Cancellation.IsCancellationRequested)
            {
                request.Completion.TrySetCanceled(request.Cancellation);
                return true;
            }
            if (started - request.EnqueuedAt > _rejectAfterTicks)
            {
                request.Completion.TrySetException(new ModelOverloadedException($"model {_key}: the request waited longer than its {_config.DefaultTimeoutUs} us queue timeout"));
                return true;
            }
            return false;
        });
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            if (batch.Count == 1)
            {
                batch[0].Complete(TimedRun(batch[0].Inputs, batch[0].OutputNames), QueueTicks(batch[0], started), batch[0].Signature.Rows!.Value);
                return;
            }
            var rows = batch.Sum(r => r.Signature.Rows!.Value);
            var merged = TensorBatching.Concatenate(batch.Select(r => r.Inputs).ToList());
            var result = TimedRun(merged, batch[0].OutputNames);
            var perRequest = TensorBatching.Split(result.Outputs, batch.Select(r => r.Signature.Rows!.Value).ToList());
            if (perRequest is null)
            {
                result.Buffers?.Dispose();
                // An output without the batch as its first dimension cannot be divided: run them one by one.
                foreach (var request in batch)
                {
                    request.Complete(_session.Run(request.Inputs, request.OutputNames), QueueTicks(request, started), request.Signature.Rows!.Value);
                }
                return;
            }
            // Every request's outputs are slices of the batch's pooled arrays: each response returns its share.
            result.Buffers?.AddOwners(batch.Count - 1);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(result with { Outputs = perRequest[i], CountsExecution = i == 0 }, QueueTicks(batch[i], started), rows);
            }
        }
        catch (Exception e) when (batch.Count == 1)
        {
            batch[0].Completion.TrySetException(e);
        }
        catch (Exception)
        {
            // One bad request must not fail its neighbours: run them one by one so each gets its own answer.
            foreach (var request in batch.Where(r => !r.Completion.Task.IsCompleted))
            {
                try
                {
                    request.Complete(_session.Run(request.Inputs, request.OutputNames), QueueTicks(request, started), request.Signature.Rows!.Value);
                }
                catch (Exception single)
                {
                    request.Completion.TrySetException(single);
                }
            }
        }
    }

    /// <summary>The time <paramref name="request"/> waited for its batch, in Stopwatch ticks.</summary>
    private long QueueTicks(PendingRequest request, long batchStarted) => (long)((batchStarted - request.EnqueuedAt) * _stopwatchTicksPerTick);

    /// <summary>A batch's Run, timed into the smoothed Run time that the automatic queue delay follows (1/8 weight per Run).</summary>
    private SessionRunResult TimedRun(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var started = _time.GetTimestamp();
        var result = _session.Run(inputs, outputNames);
        var elapsed = _time.GetTimestamp() - started;
        var smoothed = Volatile.Read(ref _smoothedRunTicks);
        Volatile.Write(ref _smoothedRunTicks, smoothed == 0 ? elapsed : smoothed + (elapsed - smoothed) / 8);
        return result;
    }

    public void Dispose()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        _arrived.Set();
        foreach (var worker in _workers)
        {
            worker.Join(TimeSpan.FromSeconds(5));
        }
        while (TryTake(out var request))
        {
            request.Completion.TrySetException(new ModelOverloadedException($"model {_key} was unloaded while the request waited"));
        }
    }

    private sealed record PendingRequest(
        IReadOnlyList<InferenceTensor> Inputs, IReadOnlyList<string> OutputNames, BatchSignature Signature, long EnqueuedAt, CancellationToken Cancellation)
    {
        public TaskCompletionSource<SessionRunResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Reports the time spent waiting for the batch as queue time on top of the run's own timings.</summary>
        public void Complete(SessionRunResult result, long queueTicks, long batchRows) =>
            Completion.TrySetResult(result with { QueueTicks = queueTicks, BatchRows = batchRows });
    }
}
