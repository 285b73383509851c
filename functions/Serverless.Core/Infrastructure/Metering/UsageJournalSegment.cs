using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>A sealed journal file: no frame is added to it any more, so shipping it twice writes the same groups.</summary>
/// <param name="Records">
/// The records of its frames, in order, as this process wrote them; null for a segment a previous run left, or one
/// whose copy the journal did not keep (<see cref="UsageJournal"/>): those are read back from the file.
/// </param>
public sealed record UsageJournalSegment(long Sequence, string Path, long Bytes, IReadOnlyList<UsageRecord>? Records = null);
