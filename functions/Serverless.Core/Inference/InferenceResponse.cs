using Serverless.Core.Repository;

namespace Serverless.Core.Inference;

public sealed record InferenceResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<InferenceTensor> Outputs) : IDisposable
{
    private int _disposed;

    /// <summary>Execution provider the model ran on, for metering and logs.</summary>
    public string ExecutionProvider { get; init; } = "";

    /// <summary>The run's compute time that is this request's (see <see cref="SessionRunResult.ComputeTime"/>); what is billed per compute-second.</summary>
    public TimeSpan ComputeTime { get; init; }

    /// <summary>Pooled arrays <see cref="Outputs"/> live in; returned by <see cref="Dispose"/> once they are written.</summary>
    public PooledTensorBuffers? Buffers { get; init; }

    /// <summary>The version that ran (<see cref="ModelName"/> and <see cref="ModelVersion"/> as a key, not text to parse back).</summary>
    public ModelKey Key { get; init; }

    /// <summary>The version was not loaded when this call asked for it (a cache miss): the call started or waited for its load.</summary>
    public bool LoadedForThisCall { get; init; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Buffers?.Dispose();
        }
    }
}
