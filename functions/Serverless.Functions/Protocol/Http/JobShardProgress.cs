namespace Serverless.Functions.Protocol.Http;

/// <summary>Shards done, of all, how many were poisoned, and which and why (absent when none).</summary>
public sealed record JobShardProgress(int Done, int Total, int Poisoned, IReadOnlyList<Core.Jobs.PoisonedShard>? PoisonedShards);
