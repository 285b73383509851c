namespace Serverless.Functions.Protocol.Http;

/// <summary>Shards done, of all, and how many were poisoned.</summary>
public sealed record JobShardProgress(int Done, int Total, int Poisoned);
