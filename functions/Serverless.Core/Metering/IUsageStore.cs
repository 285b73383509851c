namespace Serverless.Core.Metering;

/// <summary>The durable side of the ledger: SQLite locally, Table storage under Azure.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Writes a group of records in as few transactions as the store allows and returns once they are durable.
    /// Throws <see cref="UsageStoreException"/> naming the records that were not written.
    /// </summary>
    Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// Groups the ledger may have in <see cref="AppendAsync"/> at once. 1 for a store with one writer (SQLite, whose
    /// commit is a local fsync); more for a remote store, where a group's round trip would otherwise cap how many
    /// records an instance can make durable per second.
    /// </summary>
    int MaxConcurrentAppends => 1;

    IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default);

    /// <summary>Billed calls (or their rows, or their input plus output tokens) of one caller in [from, to): the seed of the monthly quota.</summary>
    Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default);
}
