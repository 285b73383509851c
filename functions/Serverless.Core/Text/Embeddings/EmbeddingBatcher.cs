using System.Runtime.InteropServices;
using Serverless.Core.Cache;
using Serverless.Core.Inference;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// Gathers the sequences of concurrent embedding calls into padded runs of the encoder: while a run is in progress
/// new sequences queue; when it ends, everything queued (up to the batch size) goes into the next run, first come
/// first served. No fixed delay: a lone call runs at once, and company arrives exactly when the encoder is busy.
/// One run at a time, through the encoder's one run path (<see cref="LoadedModel.RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, CancellationToken)"/>),
/// so the statistics, validation and any tensor scheduler apply as to every other request. Nothing runs in the
/// background when nothing is queued: the drain loop starts with the first sequence and ends with the last.
/// </summary>
internal sealed class EmbeddingBatcher(LoadedModel encoder, EncoderSignature signature, int paddingId, int maxBatchSize, EmbeddingConfig pooling)
{
    private readonly object _gate = new();
    private readonly Queue<PendingSequence> _queue = new();
    private readonly string[] _outputs = [signature.OutputName];
    private bool _draining;

    public int MaxBatchSize { get; } = maxBatchSize;

    /// <summary>Queues the sequences; each task ends with its vector, or cancelled if <paramref name="cancellationToken"/> fires before its run starts.</summary>
    public Task<EmbeddedSequence>[] Submit(IReadOnlyList<int[]> sequences, CancellationToken cancellationToken)
    {
        var pending = sequences.Select(ids => new PendingSequence(ids, cancellationToken)).ToArray();
        bool start;
        lock (_gate)
        {
            // Shortest first, as sentence-transformers encodes: a long call's runs then pad its short texts to short
            // neighbours, not to its longest text. Each sequence has its own result, so the call's order is kept.
            foreach (var sequence in pending.OrderBy(p => p.Ids.Length))
            {
                _queue.Enqueue(sequence);
            }
            start = !_draining;
            _draining = true;
        }
        if (start)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }
        return pending.Select(p => p.Result.Task).ToArray();
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<PendingSequence>(MaxBatchSize);
            lock (_gate)
            {
                while (batch.Count < MaxBatchSize && _queue.TryDequeue(out var next))
                {
                    // A caller gone before its run started is not run at all.
                    if (next.TryStart())
                    {
                        batch.Add(next);
                    }
                }
                if (batch.Count == 0 && _queue.Count == 0)
                {
                    _draining = false;
                    return;
                }
            }
            if (batch.Count > 0)
            {
                await RunAsync(batch);
            }
        }
    }

    private async Task RunAsync(List<PendingSequence> batch)
    {
        try
        {
            var inputs = PaddedEncoderInput.Build(batch.Select(s => s.Ids).ToList(), paddingId, signature.HasTokenTypeIds);
            // Not the callers' tokens: the run is shared, and a run already started is cheaper finished than torn down.
            var run = await encoder.RunAsync(inputs, _outputs, CancellationToken.None);
            try
            {
                var states = run.Outputs[0];
                var sequenceLength = (int)states.Shape[1];
                var floats = MemoryMarshal.Cast<byte, float>(states.Data.Span);
                // Every row of a padded run costs the same, so each sequence's share of the run is one row's.
                var share = run.ComputeTime(LoadedModel.Rows(inputs)) / batch.Count;
                for (var row = 0; row < batch.Count; row++)
                {
                    var vector = HiddenStatePooling.Pool(floats, row, sequenceLength, signature.HiddenSize, batch[row].Ids.Length, pooling.UsesClsPooling, pooling.Normalize);
                    batch[row].Result.TrySetResult(new EmbeddedSequence(vector, share));
                }
            }
            finally
            {
                run.Buffers?.Dispose();
            }
        }
        catch (Exception e)
        {
            foreach (var sequence in batch)
            {
                sequence.Result.TrySetException(e);
            }
        }
    }

    /// <summary>A queued sequence: cancelled with its caller until its run starts, never after.</summary>
    private sealed class PendingSequence
    {
        private readonly CancellationTokenRegistration _cancellation;

        public PendingSequence(int[] ids, CancellationToken cancellationToken)
        {
            Ids = ids;
            _cancellation = cancellationToken.Register(() => Result.TrySetCanceled(cancellationToken));
        }

        public int[] Ids { get; }

        public TaskCompletionSource<EmbeddedSequence> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>False when the caller already went away.</summary>
        public bool TryStart()
        {
            _cancellation.Dispose();
            return !Result.Task.IsCompleted;
        }
    }
}

