namespace Serverless.Core.Metering;

/// <summary>Where every metered call and batch shard is recorded; the single entry point for writers.</summary>
public interface IUsageLedger
{
    /// <summary>
    /// Completes once the record is durable (committed with its group); throws
    /// <see cref="Errors.UsageLedgerUnavailableException"/> (503) when it could not be written.
    /// </summary>
    Task AppendAsync(UsageRecord record, CancellationToken cancellationToken = default);
}
