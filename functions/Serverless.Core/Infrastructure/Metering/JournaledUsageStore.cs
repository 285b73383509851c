using System.Runtime.CompilerServices;
using Serverless.Core.Errors;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// The usage store behind the local journal (Metering:Durability process), so a metered call waits for a local
/// write() instead of a Table round trip or an fsync; <see cref="UsageJournalShipper"/> moves the journal into the
/// store. What that promises a caller: the durability contract, docs/metering.md.
/// </summary>
/// <param name="store">The durable store: <see cref="TableUsageStore"/> or <see cref="SqliteUsageStore"/>.</param>
public sealed class JournaledUsageStore(UsageJournal journal, IUsageStore store) : IUsageStore
{
    /// <summary>One: an append is a local write that returns at once, so the ledger's waiters go on inline on its thread.</summary>
    public int MaxConcurrentAppends => 1;

    public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        journal.Append(records);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The store, plus this instance's records still in its journal, each once: a report sees every call this
    /// instance answered. Other instances' records lag by up to their MaxCommitLag.
    /// </summary>
    public async IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Read before the store: a record that leaves the journal meanwhile was shipped first, so the query sees it.
        var unshipped = journal.ReadUnshipped(r => r.Time >= query.From && r.Time < query.To
                && (query.CallerId is null || r.CallerId == query.CallerId)
                && (query.Model is null || r.Model == query.Model))
            .ToDictionary(r => r.Id);
        await foreach (var record in store.ReadAsync(query, cancellationToken))
        {
            // A segment being shipped now is in both.
            unshipped.Remove(record.Id);
            yield return record;
        }
        foreach (var record in unshipped.Values)
        {
            yield return record;
        }
    }

    /// <summary>
    /// The store only, so it lags this instance's journal by up to MaxCommitLag. The monthly quota stays exact all
    /// the same: it seeds a caller's month from here before this instance bills that caller's first call of the month
    /// and counts in memory from then on, and what the last run left is shipped before the first count.
    /// </summary>
    public async Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default)
    {
        // Standalone, the start-up ship is over before anything is served; under the Functions host the worker's own
        // hosted service starts first and invocations may come before it is.
        // While the start-up ship keeps failing the wait would last as long: refuse at once, saying why.
        if (journal.LeftoversNotShippedReason is { } reason)
        {
            throw new UsageLedgerUnavailableException(reason) { RetryAfterSeconds = DataDiskFailure.RetryAfterSeconds };
        }
        await journal.LeftoversShipped.WaitAsync(cancellationToken);
        return await store.CountBilledAsync(callerId, from, to, measure, cancellationToken);
    }
}
