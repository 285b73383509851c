using Serverless.Core.Repository;

namespace Serverless.Core.Batching;

/// <summary>
/// <c>config.json</c> <c>dynamic_batching</c>, after Triton's: concurrent requests whose inputs agree on every
/// dimension but the first are merged into one Run. Present means on, unless <see cref="Enabled"/> is false.
/// </summary>
public sealed record DynamicBatchingConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>Most rows in one merged Run; 0 takes the model's max_batch_size, else 64.</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>
    /// How long the first request of a batch waits for company; absent, half the model's recent Run time (at most
    /// <see cref="DynamicBatcher.MaxAutomaticQueueDelayUs"/>): see <see cref="DynamicBatcher"/>.
    /// </summary>
    public int? MaxQueueDelayUs { get; init; }

    /// <summary>Batch sizes that run at once when reached, without waiting out the delay.</summary>
    public int[] PreferredBatchSizes { get; init; } = [];

    /// <summary>Requests waiting at most; beyond it new requests are shed with 503.</summary>
    public int MaxQueueSize { get; init; } = 1024;

    /// <summary>Longest a request may wait in the queue (0: no limit) before <see cref="TimeoutAction"/> applies.</summary>
    public int DefaultTimeoutUs { get; init; }

    /// <summary><c>reject</c> (503) or <c>delay</c> (run it anyway) for a request past its timeout; any other value fails the load.</summary>
    public QueueTimeoutAction TimeoutAction { get; init; } = QueueTimeoutAction.Reject;

    /// <summary>Batches running at once on this model; absent, <see cref="BatchingLayout"/> decides (a CPU: one per core).</summary>
    public int? InstanceCount { get; init; }

    /// <summary>Requests that may wait at most: each holds its request body, so the queue is bounded like everything else.</summary>
    public const int MaxQueueSizeLimit = 100_000;

    /// <summary>Batches running at once at most: each is a thread with its own session memory.</summary>
    public const int MaxInstances = 64;

    /// <summary>Longest configurable wait for company: 10 s (Triton's own examples stay under a millisecond).</summary>
    public const int MaxQueueDelayLimitUs = 10_000_000;

    /// <summary>Every value against its documented range; a value past it fails the model's load naming the field.</summary>
    internal void Validate(string model)
    {
        ConfigRange.Check(model, "dynamic_batching.max_batch_size", MaxBatchSize, 0, ModelConfig.MaxRows);
        ConfigRange.Check(model, "dynamic_batching.max_queue_delay_us", MaxQueueDelayUs, 0, MaxQueueDelayLimitUs);
        ConfigRange.Check(model, "dynamic_batching.max_queue_size", MaxQueueSize, 1, MaxQueueSizeLimit);
        ConfigRange.Check(model, "dynamic_batching.default_timeout_us", DefaultTimeoutUs, 0, int.MaxValue);
        ConfigRange.Check(model, "dynamic_batching.instance_count", InstanceCount, 1, MaxInstances);
        if (PreferredBatchSizes.Length > 32)
        {
            throw new Errors.ModelLoadException($"model '{model}': config.json dynamic_batching.preferred_batch_sizes has {PreferredBatchSizes.Length} sizes; it may have 32 at most");
        }
        foreach (var size in PreferredBatchSizes)
        {
            ConfigRange.Check(model, "dynamic_batching.preferred_batch_sizes entry", size, 1, ModelConfig.MaxRows);
        }
    }
}
