namespace Serverless.Core.Infrastructure.Metering;

/// <summary>A sealed journal file: no frame is added to it any more, so shipping it twice writes the same groups.</summary>
public sealed record UsageJournalSegment(long Sequence, string Path, long Bytes);
