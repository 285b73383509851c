namespace Serverless.Core.Jobs;

/// <summary>One shard's output file. <see cref="FirstRow"/> is null after a poisoned shard, whose row count is unknown.</summary>
public sealed record ManifestPart(string Name, int Shard, long? FirstRow, long Rows, long RowsScored, long RowsFailed);
