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
public sealed class DynamicBatcher : IDisposable
{
    private readonly ModelKey _key;
    private readonly IModelSession _session;
    private readonly DynamicBatchingConfig _config;
    private readonly int _maxBatchSize;
    private readonly int _largestPreferred;
    private readonly Channel<PendingRequest> _queue;
    // Set by producers after each write: wakes an idle or gathering worker.
    private readonly ManualResetEventSlim _arrived = new(false);
    private readonly Thread[] _workers;
    private volatile bool _stopping;

    public DynamicBatcher(ModelKey key, IModelSession session, DynamicBatchingConfig config, int modelMaxBatchSize)
    {
        _key = key;
        _session = session;
        _config = config;
        _maxBatchSize = config.MaxBatchSize > 0 ? config.MaxBatchSize : modelMaxBatchSize > 0 ? modelMaxBatchSize : 64;
        _largestPreferred = config.PreferredBatchSizes.Where(p => p <= _maxBatchSize).DefaultIfEmpty(_maxBatchSize).Max();
        _queue = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(Math.Max(1, config.MaxQueueSize))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = config.InstanceCount <= 1,
        });
        // Workers are threads of their own, not thread-pool work: a batch blocks in ONNX Runtime for its whole run, and
        // a worker waiting for company must wake when a request arrives, not when the busy pool gets round to it
        // (measured: the pool's timers and queue put batches of 32 behind request work and shrank them).
        _workers = Enumerable.Range(0, Math.Max(1, config.InstanceCount))
            .Select(i => new Thread(Work) { IsBackground = true, Name = $"batcher {key} #{i}" }).ToArray();
        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>Whether this model's graph can take merged batches: every input and output has a dynamic first dimension.</summary>
    public static bool CanBatch(IModelSession session) =>
        session.Inputs.Count > 0
        && session.Inputs.All(t => t.Shape.Length > 0 && t.Shape[0] < 0)
        && session.Outputs.All(t => t.Shape.Length > 0 && t.Shape[0] < 0);

    public async Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var signature = BatchSignature.Of(inputs, outputNames);
        if (signature.Rows is null or 0 || signature.Rows > _maxBatchSize)
        {
            return _session.Run(inputs, outputNames);
        }
        var pending = new PendingRequest(inputs, outputNames, signature, Stopwatch.GetTimestamp(), cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ModelOverloadedException($"model {_key} is saturated: {_config.MaxQueueSize} requests already wait for it");
        }
        if (!_arrived.IsSet)
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
            if (carried.Count == 0)
            {
                _arrived.Reset();
                if (!_queue.Reader.TryRead(out var next))
                {
                    // Every write is followed by a Set, so a request written after the Reset ends this wait.
                    _arrived.Wait();
                    continue;
                }
                carried.Add(next);
            }
            Gather(carried, batch);
            Execute(batch);
            batch.Clear();
        }
        foreach (var request in carried)
        {
            request.Completion.TrySetException(new ModelOverloadedException($"model {_key} was unloaded while the request waited"));
        }
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
        var deadline = first.EnqueuedAt + (long)(_config.MaxQueueDelayUs * (Stopwatch.Frequency / 1_000_000.0));
        while (rows < _largestPreferred && !_config.PreferredBatchSizes.Contains((int)rows) && !_stopping)
        {
            _arrived.Reset();
            if (_queue.Reader.TryRead(out var next))
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
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }
            if (remaining >= TimeSpan.FromMilliseconds(1))
            {
                // Whole milliseconds only (the wait's resolution); the loop comes back for the rest.
                _arrived.Wait((int)remaining.TotalMilliseconds);
            }
            else
            {
                // Under a millisecond no timed wait is that fine: give the core to whoever is runnable and look again.
                Thread.Yield();
            }
        }
    }

    private bool Fits(PendingRequest candidate, PendingRequest first, long rows) =>
        candidate.Signature.Key == first.Signature.Key && rows + candidate.Signature.Rows!.Value <= _maxBatchSize;

    private void Execute(List<PendingRequest> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = _config.DefaultTimeoutUs > 0 && _config.TimeoutAction.Equals("reject", StringComparison.OrdinalIgnoreCase)
            ? (long)(_config.DefaultTimeoutUs * (Stopwatch.Frequency / 1_000_000.0)) : long.MaxValue;
        batch.RemoveAll(request =>
        {
            if (request.Cancellation.IsCancellationRequested)
            {
                request.Completion.TrySetCanceled(request.Cancellation);
                return true;
            }
            if (started - request.EnqueuedAt > timeout)
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
                batch[0].Complete(_session.Run(batch[0].Inputs, batch[0].OutputNames), started, batch[0].Signature.Rows!.Value);
                return;
            }
            var rows = batch.Sum(r => r.Signature.Rows!.Value);
            var merged = TensorBatching.Concatenate(batch.Select(r => r.Inputs).ToList());
            var result = _session.Run(merged, batch[0].OutputNames);
            var perRequest = TensorBatching.Split(result.Outputs, batch.Select(r => r.Signature.Rows!.Value).ToList());
            if (perRequest is null)
            {
                result.Buffers?.Dispose();
                // An output without the batch as its first dimension cannot be divided: run them one by one.
                foreach (var request in batch)
                {
                    request.Complete(_session.Run(request.Inputs, request.OutputNames), started, request.Signature.Rows!.Value);
                }
                return;
            }
            // Every request's outputs are slices of the batch's pooled arrays: each response returns its share.
            result.Buffers?.AddOwners(batch.Count - 1);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(result with { Outputs = perRequest[i], CountsExecution = i == 0 }, started, rows);
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
                    request.Complete(_session.Run(request.Inputs, request.OutputNames), started, request.Signature.Rows!.Value);
                }
                catch (Exception single)
                {
                    request.Completion.TrySetException(single);
                }
            }
        }
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
        while (_queue.Reader.TryRead(out var request))
        {
            request.Completion.TrySetException(new ModelOverloadedException($"model {_key} was unloaded while the request waited"));
        }
    }

    private sealed record PendingRequest(
        IReadOnlyList<InferenceTensor> Inputs, IReadOnlyList<string> OutputNames, BatchSignature Signature, long EnqueuedAt, CancellationToken Cancellation)
    {
        public TaskCompletionSource<SessionRunResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Reports the time spent waiting for the batch as queue time on top of the run's own timings.</summary>
        public void Complete(SessionRunResult result, long batchStarted, long batchRows) =>
            Completion.TrySetResult(result with { QueueTicks = batchStarted - EnqueuedAt, BatchRows = batchRows });
    }
}
