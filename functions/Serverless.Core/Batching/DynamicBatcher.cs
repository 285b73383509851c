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
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;

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
        _workers = Enumerable.Range(0, Math.Max(1, config.InstanceCount)).Select(_ => Task.Run(WorkAsync)).ToArray();
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
        return await pending.Completion.Task;
    }

    private async Task WorkAsync()
    {
        var carried = new List<PendingRequest>();
        var batch = new List<PendingRequest>(_maxBatchSize);
        try
        {
            while (true)
            {
                if (carried.Count == 0)
                {
                    if (!await _queue.Reader.WaitToReadAsync(_stopping.Token))
                    {
                        return;
                    }
                    if (!_queue.Reader.TryRead(out var next))
                    {
                        continue;
                    }
                    carried.Add(next);
                }
                await GatherAsync(carried, batch);
                Execute(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            foreach (var request in carried.Concat(batch))
            {
                request.Completion.TrySetException(new ModelOverloadedException($"model {_key} was unloaded while the request waited"));
            }
        }
    }

    /// <summary>Fills <paramref name="batch"/> with the oldest request and its compatible company.</summary>
    private async Task GatherAsync(List<PendingRequest> carried, List<PendingRequest> batch)
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
        while (rows < _largestPreferred && !_config.PreferredBatchSizes.Contains((int)rows))
        {
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
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                break;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            wait.CancelAfter(TimeSpan.FromTicks((long)(remaining * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency))));
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                break;
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
                batch[i].Complete(result with { Outputs = perRequest[i] }, started, rows);
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
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var request))
        {
            request.Completion.TrySetException(new ModelOverloadedException($"model {_key} was unloaded while the request waited"));
        }
        Task.WaitAll(_workers, TimeSpan.FromSeconds(5));
        _stopping.Dispose();
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
