using System.Text.Json.Serialization;

namespace Serverless.Core.Metering;

/// <summary>
/// One metered unit of work: an inference call, a text call (embeddings, generation) or a batch shard. <see cref="Id"/> is unique and time-ordered
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

    /// <summary>
    /// Tokens a text call fed to the model (special tokens and the chat template included); 0 for a tensor call. Records
    /// written before tokens were metered read back as 0. Left out of the packed JSON while 0, so a tensor call's record
    /// takes no more room in the journal or a Table entity than before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long InputTokens { get; init; }

    /// <summary>Tokens a text call generated (a partial stream: those generated before the client left); 0 otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long OutputTokens { get; init; }

    public double ComputeSeconds { get; init; }

    public string ExecutionProvider { get; init; } = "";

    /// <summary>HTTP status the call was answered with (200 for a scored batch shard).</summary>
    public int Status { get; init; }

    public UsageOutcome Outcome { get; init; }

    public decimal Cost { get; init; }

    /// <summary>
    /// Longest caller-chosen text a record keeps (the request's <c>id</c>, the model name from the URL), so what a
    /// caller can make the store hold per call is bounded. Model names are valid only up to this length anyway.
    /// </summary>
    public const int MaxTextLength = Repository.ModelName.MaxLength;

    /// <summary>A new unique, time-ordered id (<see cref="UsageRecordId"/>).</summary>
    public static string NewId() => UsageRecordId.New();

    public static string Capped(string text) => text.Length <= MaxTextLength ? text : text[..MaxTextLength];
}
