using Serverless.Core.Metering;

namespace Serverless.Tests.Fakes;

/// <summary>A usage store with nothing billed this month, for quotas that must never refuse.</summary>
internal sealed class NoPastUsageStore : IUsageStore
{
    public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

    public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) =>
        Task.FromResult(0L);
}
