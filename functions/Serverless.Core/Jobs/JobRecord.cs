using System.Text.Json.Serialization;

namespace Serverless.Core.Jobs;

/// <summary>
/// A job's state as the job store keeps it. Every change goes through <see cref="IJobStore.UpdateAsync"/>, a
/// read-modify-write guarded by <see cref="ConcurrencyToken"/> (the Table ETag, a SQLite version column), so any
/// number of instances complete shards of one job without a lock.
/// </summary>
public sealed record JobRecord
{
    public const char ShardPending = '.';
    public const char ShardDone = 'd';
    public const char ShardPoisoned = 'p';

    public required string Id { get; init; }

    public required JobRequest Request { get; init; }

    public JobState State { get; init; } = JobState.Queued;

    public string? Error { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Input size and ETag when planned; shards read exactly this version of the input.</summary>
    public long InputBytes { get; init; }

    public string? InputETag { get; init; }

    /// <summary>The CSV header line, read once by the planner so shards after the first know the columns.</summary>
    public string? CsvHeader { get; init; }

    public long ShardBytes { get; init; }

    /// <summary>Parquet inputs shard by whole row groups instead of byte ranges: this many per shard, of this many.</summary>
    public int RowGroupsPerShard { get; init; }

    public int RowGroupCount { get; init; }

    /// <summary>One character per shard: <c>.</c> pending, <c>d</c> done, <c>p</c> poisoned. Counting a shard flips its character once.</summary>
    public string Shards { get; init; } = "";

    /// <summary>The poisoned shards with their reasons, the first <see cref="PoisonedShard.MaxKept"/> of them (all are marked in <see cref="Shards"/>).</summary>
    public IReadOnlyList<PoisonedShard> PoisonedShards { get; init; } = [];

    public long RowsScored { get; init; }

    public long RowsFailed { get; init; }

    /// <summary>Resolved model version the job scores with (fixed at planning so every shard uses the same one).</summary>
    public long? ModelVersion { get; init; }

    [JsonIgnore]
    public string? ConcurrencyToken { get; init; }

    [JsonIgnore]
    public int ShardCount => Shards.Length;

    [JsonIgnore]
    public int ShardsDone => Shards.Count(c => c == ShardDone);

    [JsonIgnore]
    public int ShardsPoisoned => Shards.Count(c => c == ShardPoisoned);

    [JsonIgnore]
    public bool AllShardsSettled => Shards.Length > 0 && !Shards.Contains(ShardPending);

    public (long Start, long End) ShardRange(int index) =>
        (index * ShardBytes, Math.Min(InputBytes, (index + 1) * ShardBytes));

    public (int First, int End) ShardRowGroups(int index) =>
        (index * RowGroupsPerShard, Math.Min(RowGroupCount, (index + 1) * RowGroupsPerShard));
}
