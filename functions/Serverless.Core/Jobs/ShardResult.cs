namespace Serverless.Core.Jobs;

/// <summary>
/// What scoring one shard produced. Saved per shard (an idempotent upsert) before the job record counts it, so
/// the manifest can list every part with its rows even when shards were redelivered.
/// </summary>
public sealed record ShardResult
{
    public required string JobId { get; init; }

    public required int Shard { get; init; }

    public required string Part { get; init; }

    /// <summary>Row numbers the shard used: scored, failed and blank lines.</summary>
    public long Rows { get; init; }

    public long RowsScored { get; init; }

    public long RowsFailed { get; init; }

    /// <summary>The shard's error file (relative to the output), when rows failed.</summary>
    public string? ErrorPart { get; init; }

    public double ComputeMilliseconds { get; init; }

    /// <summary>Tokens the scored rows fed a text model (an embeddings job), billed with the shard; 0 for a tensor job.</summary>
    public long InputTokens { get; init; }
}
