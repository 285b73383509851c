namespace Serverless.Core.Jobs;

/// <summary>What one counted shard is billed for.</summary>
/// <param name="InputTokens">Tokens fed to a text model over the shard's rows (an embeddings job); 0 for a tensor job.</param>
public sealed record ShardUsage(string JobId, int Shard, string? Caller, string Model, long ModelVersion, long RowsScored, TimeSpan ComputeTime, long InputTokens = 0);
