using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;

namespace Serverless.Tests.Metering;

/// <summary>The monthly quota in tokens: seeded from the tokens billed, settled to what a call used, and what a tensor call counts.</summary>
public sealed class MonthlyQuotaTests
{
    private static readonly CallerIdentity TokensCaller = new("acme", null, new CallerPlan { MonthlyQuota = 1000, QuotaUnit = CallerPlan.TokensUnit });

    [Fact]
    public async Task ReserveAsync_TensorCallUnderATokensPlan_CountsNothingUntilTheTokensAreUsedUp()
    {
        var quota = new MonthlyQuota(new Store(billedTokens: 999), TimeProvider.System);

        var tensor = await quota.ReserveAsync(TokensCaller, 0);
        tensor!.Release();
        (await quota.ReserveAsync(TokensCaller, 1))!.Settle(1);

        await Assert.ThrowsAsync<QuotaExceededException>(() => quota.ReserveAsync(TokensCaller, 0));
    }

    [Fact]
    public async Task Settle_MoreThanReserved_CountsWhatWasUsed()
    {
        var quota = new MonthlyQuota(new Store(billedTokens: 0), TimeProvider.System);

        (await quota.ReserveAsync(TokensCaller, 100))!.Settle(400);

        await quota.ReserveAsync(TokensCaller, 600);
        await Assert.ThrowsAsync<QuotaExceededException>(() => quota.ReserveAsync(TokensCaller, 1));
    }

    [Fact]
    public async Task Release_AfterSettle_GivesNothingBack()
    {
        var quota = new MonthlyQuota(new Store(billedTokens: 0), TimeProvider.System);
        var reservation = (await quota.ReserveAsync(TokensCaller, 1000))!;

        reservation.Settle(1000);
        reservation.Release();

        await Assert.ThrowsAsync<QuotaExceededException>(() => quota.ReserveAsync(TokensCaller, 1));
    }

    private sealed class Store(long billedTokens) : IUsageStore
    {
        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) =>
            Task.FromResult(measure == QuotaMeasure.Tokens ? billedTokens : 0L);
    }
}
