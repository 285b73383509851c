using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Tests.Metering;

namespace Serverless.Tests.Fakes;

/// <summary>The metered text call wired as the app wires it, metering on, recording into <paramref name="ledger"/> and never over quota.</summary>
internal static class TestMeteredText
{
    public static MeteredText Create(IModelRepository repository, IUsageLedger ledger, ModelPricing pricing)
    {
        var time = TimeProvider.System;
        var metering = Options.Create(new MeteringOptions { DefaultPricing = pricing });
        var billing = new UsageBilling(ledger, new PriceList(repository, metering, NullLogger<PriceList>.Instance), metering, time, NullLogger<UsageBilling>.Instance);
        return new MeteredText(new CallerRateLimiter(), new MonthlyQuota(new NoPastUsageStore(), time), new ModelConcurrencyLimiter(metering), billing, UsageRecords.Metrics());
    }
}
