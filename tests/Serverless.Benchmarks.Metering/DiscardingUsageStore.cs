using Serverless.Core.Metering;

namespace Serverless.Benchmarks.Metering;

/// <summary>A store that forgets every record at once: isolates the store's cost from the rest of the ledger (breakdown only).</summary>
public sealed class DiscardingUsageStore : IUsageStore
{
    public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

    public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) => Task.FromResult(0L);
}
