namespace Serverless.Core.Metering;

/// <summary>The durable side of the ledger: SQLite locally, Table storage under Azure.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Writes a group of records in as few transactions as the store allows and returns once they are durable.
    /// Throws <see cref="UsageStoreException"/> naming the records that were not written.
    /// </summary>
    Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default);

    IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default);

    /// <summary>Billed calls (or their rows) of one caller in [from, to): the seed of the monthly quota.</summary>
    Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, bool rows, CancellationToken cancellationToken = default);
}
