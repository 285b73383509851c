namespace Serverless.Core.Jobs;

public sealed record ShardUsage(string JobId, int Shard, string? Caller, string Model, long ModelVersion, long RowsScored, TimeSpan ComputeTime);
