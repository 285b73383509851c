namespace Serverless.Core.Jobs;

/// <summary>Metering seam: called once per shard, when the job counts it (the caller, the rows scored, the compute time).</summary>
public interface IShardUsageRecorder
{
    Task RecordAsync(ShardUsage usage, CancellationToken cancellationToken = default);
}
