namespace Serverless.Core.Metering;

/// <summary>
/// One metered unit of work: an inference call or a batch shard. <see cref="Id"/> is unique and time-ordered
/// (UUID v7) and is the row key; <see cref="RequestId"/> is the caller's request id or the job/shard id.
/// The cost is fixed when the record is written, so later price changes never rewrite past bills.
/// </summary>
public sealed record UsageRecord
{
    public required string Id { get; init; }

    public required string RequestId { get; init; }

    public required string CallerId { get; init; }

    public string? KeyId { get; init; }

    public required string Model { get; init; }

    /// <summary>0 when the call failed before a version was resolved.</summary>
    public long Version { get; init; }

    public required DateTimeOffset Time { get; init; }

    public long Rows { get; init; }

    public long InputBytes { get; init; }

    public double ComputeSeconds { get; init; }

    public string ExecutionProvider { get; init; } = "";

    /// <summary>HTTP status the call was answered with (200 for a scored batch shard).</summary>
    public int Status { get; init; }

    public UsageOutcome Outcome { get; init; }

    public decimal Cost { get; init; }

    public static string NewId() => Guid.CreateVersion7().ToString("N");
}
