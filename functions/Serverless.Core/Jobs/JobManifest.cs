namespace Serverless.Core.Jobs;

/// <summary>
/// <c>_manifest.json</c>, written beside the parts when the last shard settles. A part's rows carry row numbers
/// within the part; <see cref="ManifestPart.FirstRow"/> turns them into input row numbers (first_row + row).
/// </summary>
public sealed record JobManifest(
    string JobId,
    string Model,
    long? ModelVersion,
    string Format,
    string Input,
    string Output,
    string State,
    string? Error,
    long RowsTotal,
    long RowsScored,
    long RowsFailed,
    IReadOnlyList<ManifestPart> Parts,
    string? Errors,
    IReadOnlyList<int> PoisonedShards,
    DateTimeOffset CreatedAt,
    DateTimeOffset CompletedAt);
