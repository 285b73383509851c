namespace Serverless.Core.Inference;

/// <summary>Outputs of one run, and where its time went (Stopwatch ticks), for the statistics extension.</summary>
public sealed record SessionRunResult(IReadOnlyList<InferenceTensor> Outputs, long InputTicks, long InferTicks, long OutputTicks)
{
    /// <summary>Time the request waited in a dynamic batcher's queue before its batch ran.</summary>
    public long QueueTicks { get; init; }

    /// <summary>Rows in the Run this request rode in (its own rows when not batched with others).</summary>
    public long BatchRows { get; init; }

    /// <summary>
    /// Whether this result counts the Run as an execution: true for a Run of its own, and for exactly one request of
    /// a merged batch, so the statistics' execution_count counts model executions as Triton's does.
    /// </summary>
    public bool CountsExecution { get; init; } = true;

    /// <summary>
    /// This request's share of the run's own time (tensors in, Run, tensors out): all of it when it ran alone, its
    /// share of rows when it rode in a dynamic batch. Loading the model and waiting in a queue are not compute.
    /// </summary>
    public TimeSpan ComputeTime(long ownRows)
    {
        var ticks = InputTicks + InferTicks + OutputTicks;
        var share = BatchRows > ownRows && ownRows > 0 ? (double)ownRows / BatchRows : 1.0;
        return TimeSpan.FromSeconds(ticks * share / System.Diagnostics.Stopwatch.Frequency);
    }

    /// <summary>
    /// Pooled arrays the outputs live in, when the session pools them; whoever ends up with the outputs disposes it
    /// after reading them (the HTTP endpoint does, once the response is written). Callers that never dispose only
    /// give up the pooling.
    /// </summary>
    public PooledTensorBuffers? Buffers { get; init; }
}
