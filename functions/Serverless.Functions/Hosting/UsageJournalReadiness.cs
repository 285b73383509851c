using Serverless.Core.Infrastructure.Metering;

namespace Serverless.Functions.Hosting;

/// <summary>Not ready while what the last run left in the usage journal is not in the usage store (e.g. its disk is full).</summary>
public sealed class UsageJournalReadiness(UsageJournal journal) : IReadinessCheck
{
    public string? NotReadyReason => journal.LeftoversNotShippedReason;
}
