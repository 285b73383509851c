using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Jobs;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Jobs;

/// <summary>A counted shard is billed by the same rule as an inference call; a record it cannot write is logged, not thrown.</summary>
public sealed class LedgerShardUsageRecorderTests
{
    private readonly FakeModelRepository _repository = new();
    private readonly ListLogger<LedgerShardUsageRecorder> _log = new();
    private readonly Ledger _ledger = new();

    private LedgerShardUsageRecorder CreateRecorder(bool metered = true)
    {
        var metering = Options.Create(new MeteringOptions
        {
            Enabled = metered,
            DefaultPricing = new ModelPricing { PerCall = 0.01m, Per1000Rows = 1m, Per1000InputTokens = 0.1m },
        });
        var models = Options.Create(new ModelsOptions());
        var billing = new UsageBilling(_ledger, new PriceList(_repository, metering, NullLogger<PriceList>.Instance), metering, TimeProvider.System,
            NullLogger<UsageBilling>.Instance);
        return new LedgerShardUsageRecorder(billing, _log);
    }

    [Fact]
    public async Task RecordAsync_CountedShard_BilledAtTheModelsPrice()
    {
        await CreateRecorder().RecordAsync(new ShardUsage("job-1", 3, "alice", "m", 2, 500, TimeSpan.FromSeconds(1.5)));

        var record = Assert.Single(_ledger.Records);
        Assert.Equal(("job-1/shard-00003", "alice", "m", 2L, 500L, 1.5), (record.RequestId, record.CallerId, record.Model, record.Version, record.Rows, record.ComputeSeconds));
        Assert.Equal((UsageOutcome.Success, 200, 0.51m), (record.Outcome, record.Status, record.Cost));
    }

    [Fact]
    public async Task RecordAsync_EmbeddingsShard_BillsItsInputTokens()
    {
        await CreateRecorder().RecordAsync(new ShardUsage("job-2", 1, "alice", "m", 1, 100, TimeSpan.Zero, InputTokens: 4000));

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((4000L, 0L), (record.InputTokens, record.OutputTokens));
        // 0.01 a shard + 100 rows x 1 / 1000 + 4,000 tokens x 0.1 / 1000
        Assert.Equal(0.01m + 0.1m + 0.4m, record.Cost);
    }

    [Fact]
    public async Task RecordAsync_JobWithoutAValidCaller_BilledToAnonymous()
    {
        await CreateRecorder().RecordAsync(new ShardUsage("job-1", 0, null, "m", 1, 1, TimeSpan.Zero));

        Assert.Equal(CallerId.Anonymous, Assert.Single(_ledger.Records).CallerId);
    }

    [Fact]
    public async Task RecordAsync_LedgerUnavailable_LogsInsteadOfFailingTheCountedShard()
    {
        _ledger.Unavailable = true;

        await CreateRecorder().RecordAsync(new ShardUsage("job-1", 7, "alice", "m", 1, 40, TimeSpan.Zero));

        var (level, message) = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("shard 7 of job job-1 (40 rows) was not recorded", message);
    }

    [Fact]
    public async Task RecordAsync_MeteringOff_RecordsNothing()
    {
        await CreateRecorder(metered: false).RecordAsync(new ShardUsage("job-1", 0, "alice", "m", 1, 10, TimeSpan.Zero));

        Assert.Empty(_ledger.Records);
    }

    private sealed class Ledger : IUsageLedger
    {
        public List<UsageRecord> Records { get; } = [];

        public bool Unavailable { get; set; }

        public Task AppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            if (Unavailable)
            {
                throw new UsageLedgerUnavailableException("the store is down");
            }
            Records.Add(record);
            return Task.CompletedTask;
        }
    }
}
