using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Metering;

/// <summary>
/// The metered text call without a host: a billed call's record carries its tokens and is priced by the model's token
/// prices; a tokens quota is reserved up front and settled to what was used; each way a call ends is recorded once, and
/// what it holds (the model's slot, a quota share) is given back. The ledger and the store are hand fakes.
/// </summary>
public sealed class MeteredTextTests
{
    private const string Model = "encoder";
    private static readonly ModelKey Key = new(Model, 3);

    private readonly FakeModelRepository _repository = new();
    private readonly RecordingLedger _ledger = new();
    private readonly SeededStore _store = new();
    private readonly ModelConcurrencyLimiter _concurrency;
    private readonly MeteredText _text;

    public MeteredTextTests()
    {
        _repository.Versions[Model] = [3];
        var metering = Options.Create(new MeteringOptions
        {
            ModelConcurrency = 1,
            ModelQueueLength = 0,
            DefaultPricing = new ModelPricing { PerCall = 0.001m, Per1000InputTokens = 0.1m, Per1000OutputTokens = 0.4m },
        });
        _concurrency = new ModelConcurrencyLimiter(metering);
        _text = Create(metering, _concurrency);
    }

    private MeteredText Create(IOptions<MeteringOptions> metering, ModelConcurrencyLimiter concurrency)
    {
        var prices = new PriceList(_repository, metering, NullLogger<PriceList>.Instance);
        return new MeteredText(new CallerRateLimiter(), new MonthlyQuota(_store, TimeProvider.System), concurrency,
            new UsageBilling(_ledger, prices, metering, TimeProvider.System, NullLogger<UsageBilling>.Instance), UsageRecords.Metrics());
    }

    [Fact]
    public async Task BillAsync_EmbeddingsCall_RecordsItsTokensPricedPerThousandAfterGivingTheSlotBack()
    {
        using (var call = await _text.AdmitAsync(Caller(), Model, "req-1", CancellationToken.None))
        {
            Assert.False(SlotIsFree());
            await call.ReserveAsync(inputs: 2, tokens: 1500);
            call.StartCompute();
            await call.BillAsync(Key, new TokenUsage(1500, 0), TimeSpan.FromMilliseconds(20), "CPUExecutionProvider", inputs: 2);
            Assert.True(SlotIsFree());
        }

        var record = Assert.Single(_ledger.Records);
        Assert.Equal(("caller-1", "key-1", "req-1", Model, 3L, 2L), (record.CallerId, record.KeyId, record.RequestId, record.Model, record.Version, record.Rows));
        Assert.Equal((1500L, 0L, 0.02, "CPUExecutionProvider"), (record.InputTokens, record.OutputTokens, record.ComputeSeconds, record.ExecutionProvider));
        Assert.Equal((UsageOutcome.Success, 200), (record.Outcome, record.Status));
        // 0.001 a call + 1,500 prompt tokens x 0.1 / 1000
        Assert.Equal(0.151m, record.Cost);
    }

    [Fact]
    public async Task BillAsync_GenerationCall_PricesPromptAndCompletionTokensApart()
    {
        using var call = await _text.AdmitStreamAsync(Caller(), Model, null, CancellationToken.None);
        await call.ReserveAsync(inputs: 1, tokens: 100 + 512);

        await call.BillAsync(Key, new TokenUsage(100, 250), TimeSpan.FromSeconds(1), "CPUExecutionProvider", inputs: 1);

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((100L, 250L), (record.InputTokens, record.OutputTokens));
        Assert.Equal(0.001m + 0.01m + 0.1m, record.Cost);
        Assert.Equal(record.Id, record.RequestId);
    }

    [Fact]
    public async Task BillAsync_ClientLeftMidStream_BilledFor499WithWhatWasGenerated()
    {
        using var call = await _text.AdmitStreamAsync(Caller(), Model, "stream-1", CancellationToken.None);
        await call.ReserveAsync(inputs: 1, tokens: 1000);

        await call.BillAsync(Key, new TokenUsage(10, 7), TimeSpan.FromMilliseconds(5), "CPUExecutionProvider", inputs: 1, status: ServerlessException.ClientClosedRequest);

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((UsageOutcome.Success, 499, 10L, 7L), (record.Outcome, record.Status, record.InputTokens, record.OutputTokens));
        Assert.True(record.Cost > 0);
    }

    [Fact]
    public async Task ReserveAsync_TokensPlan_ReservesUpFrontAndSettlesToTheTokensUsed()
    {
        var caller = Caller(monthlyQuota: 1000, unit: CallerPlan.TokensUnit);
        using (var first = await _text.AdmitStreamAsync(caller, Model, "first", CancellationToken.None))
        {
            // Prompt 100 + max_tokens 800: while it runs, a second call of 200 would overshoot the month.
            await first.ReserveAsync(inputs: 1, tokens: 900);
            using var meanwhile = await _text.AdmitStreamAsync(caller, Model, "meanwhile", CancellationToken.None);
            await Assert.ThrowsAsync<QuotaExceededException>(() => meanwhile.ReserveAsync(inputs: 1, tokens: 200));
            // It stopped early: 100 + 50 used.
            await first.BillAsync(Key, new TokenUsage(100, 50), TimeSpan.Zero, "CPUExecutionProvider", inputs: 1);
        }

        using var second = await _text.AdmitStreamAsync(caller, Model, "second", CancellationToken.None);
        await second.ReserveAsync(inputs: 1, tokens: 850);
        using var third = await _text.AdmitStreamAsync(caller, Model, "third", CancellationToken.None);
        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => third.ReserveAsync(inputs: 1, tokens: 1));

        Assert.Contains("used 1000 of its monthly quota of 1000 tokens", refused.Message);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal([("meanwhile", UsageOutcome.Rejected), ("first", UsageOutcome.Success), ("third", UsageOutcome.Rejected)],
            _ledger.Records.Select(r => (r.RequestId, r.Outcome)));
    }

    [Fact]
    public async Task ReserveAsync_TokensPlan_SeedsFromTheTokensBilledThisMonth()
    {
        _store.Billed[QuotaMeasure.Tokens] = 990;
        using var call = await _text.AdmitAsync(Caller(monthlyQuota: 1000, unit: CallerPlan.TokensUnit), Model, null, CancellationToken.None);

        await Assert.ThrowsAsync<QuotaExceededException>(() => call.ReserveAsync(inputs: 1, tokens: 11));

        Assert.Equal([QuotaMeasure.Tokens], _store.Seeded);
    }

    [Fact]
    public async Task ReserveAsync_RowsAndCallsPlans_CountInputsAndCalls()
    {
        var rows = Caller(monthlyQuota: 5, unit: CallerPlan.RowsUnit);
        var calls = Caller("caller-2", monthlyQuota: 1);
        using (var embed = await _text.AdmitAsync(rows, Model, null, CancellationToken.None))
        {
            await embed.ReserveAsync(inputs: 4, tokens: 10_000);
            await embed.BillAsync(Key, new TokenUsage(10_000, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 4);
        }
        using (var once = await _text.AdmitAsync(calls, Model, null, CancellationToken.None))
        {
            await once.ReserveAsync(inputs: 50, tokens: 50_000);
            await once.BillAsync(Key, new TokenUsage(50_000, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 50);
        }

        using (var overRows = await _text.AdmitAsync(rows, Model, null, CancellationToken.None))
        {
            await Assert.ThrowsAsync<QuotaExceededException>(() => overRows.ReserveAsync(inputs: 2, tokens: 1));
        }
        using var overCalls = await _text.AdmitAsync(calls, Model, null, CancellationToken.None);
        await Assert.ThrowsAsync<QuotaExceededException>(() => overCalls.ReserveAsync(inputs: 1, tokens: 1));
    }

    [Fact]
    public async Task Dispose_CallNeverBilled_GivesItsQuotaShareBack()
    {
        var caller = Caller(monthlyQuota: 100, unit: CallerPlan.TokensUnit);
        using (var abandoned = await _text.AdmitStreamAsync(caller, Model, null, CancellationToken.None))
        {
            await abandoned.ReserveAsync(inputs: 1, tokens: 100);
        }

        using var next = await _text.AdmitStreamAsync(caller, Model, null, CancellationToken.None);
        await next.ReserveAsync(inputs: 1, tokens: 100);
    }

    [Fact]
    public async Task FailAsync_ErrorWhileRunning_RecordsTheStatusThePipelineAnswersUnbilledAndFreesTheQuotaAndSlot()
    {
        var caller = Caller(monthlyQuota: 100, unit: CallerPlan.TokensUnit);
        using (var call = await _text.AdmitAsync(caller, Model, "bad", CancellationToken.None))
        {
            await call.ReserveAsync(inputs: 1, tokens: 100);
            call.StartCompute();
            var error = new ModelRunException("the run failed");

            await call.FailAsync(error, Key, new TokenUsage(60, 0), CancellationToken.None);

            Assert.True(SlotIsFree());
        }

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((UsageOutcome.Failure, 503, 0m, 3L, 60L), (record.Outcome, record.Status, record.Cost, record.Version, record.InputTokens));
        using var next = await _text.AdmitAsync(caller, Model, null, CancellationToken.None);
        await next.ReserveAsync(inputs: 1, tokens: 100);
    }

    [Fact]
    public async Task FailAsync_CallerGone_Records499()
    {
        using var gone = new CancellationTokenSource();
        using var call = await _text.AdmitStreamAsync(Caller(), Model, null, gone.Token);
        await gone.CancelAsync();

        await call.FailAsync(new OperationCanceledException(gone.Token), null, default, gone.Token);

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((UsageOutcome.Failure, ServerlessException.ClientClosedRequest, 0L), (record.Outcome, record.Status, record.Version));
    }

    [Fact]
    public async Task FailAsync_AfterAQuotaRefusal_LeavesTheOneRejectedRecord()
    {
        using var call = await _text.AdmitAsync(Caller(monthlyQuota: 10, unit: CallerPlan.TokensUnit), Model, null, CancellationToken.None);
        var refusal = await Assert.ThrowsAsync<QuotaExceededException>(() => call.ReserveAsync(inputs: 1, tokens: 11));

        await call.FailAsync(refusal, null, new TokenUsage(11, 0), CancellationToken.None);

        Assert.Equal((UsageOutcome.Rejected, 429), (Assert.Single(_ledger.Records).Outcome, _ledger.Records[0].Status));
    }

    [Fact]
    public async Task RejectAsync_GenerationSlotsBusy_RecordsARejection()
    {
        using var call = await _text.AdmitStreamAsync(Caller(), Model, null, CancellationToken.None);

        await call.RejectAsync(new RateLimitExceededException("all generation slots of 'encoder' are busy") { RetryAfterSeconds = 1 });

        Assert.Equal((UsageOutcome.Rejected, 429, 0m), (Assert.Single(_ledger.Records).Outcome, _ledger.Records[0].Status, _ledger.Records[0].Cost));
    }

    [Fact]
    public async Task BillAsync_LedgerUnavailable_ThrowsAndGivesTheQuotaShareBack()
    {
        var caller = Caller(monthlyQuota: 100, unit: CallerPlan.TokensUnit);
        _ledger.FailSuccesses = true;
        using (var call = await _text.AdmitAsync(caller, Model, null, CancellationToken.None))
        {
            await call.ReserveAsync(inputs: 1, tokens: 100);
            var error = await Assert.ThrowsAsync<UsageLedgerUnavailableException>(() =>
                call.BillAsync(Key, new TokenUsage(100, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 1));
            // The catch-all of a text service: nothing more is recorded.
            await call.FailAsync(error, Key, new TokenUsage(100, 0), CancellationToken.None);
        }
        _ledger.FailSuccesses = false;

        using var retried = await _text.AdmitAsync(caller, Model, null, CancellationToken.None);
        await retried.ReserveAsync(inputs: 1, tokens: 100);
        Assert.Empty(_ledger.Records);
    }

    [Fact]
    public async Task AdmitAsync_OverRateLimit_RecordsARejectionAndThrows()
    {
        var caller = Caller(requestsPerSecond: 0.001);
        using (await _text.AdmitAsync(caller, Model, "first", CancellationToken.None))
        {
        }

        var error = await Assert.ThrowsAsync<RateLimitExceededException>(() => _text.AdmitAsync(caller, Model, "second", CancellationToken.None));

        Assert.Equal(("second", UsageOutcome.Rejected, error.StatusCode), (_ledger.Records[^1].RequestId, _ledger.Records[^1].Outcome, _ledger.Records[^1].Status));
    }

    [Fact]
    public async Task AdmitAsync_ModelSlotTaken_RecordsARejection_WhileAStreamTakesNoSlot()
    {
        using var held = await _concurrency.AcquireAsync(Model);

        await Assert.ThrowsAsync<ModelSaturatedException>(() => _text.AdmitAsync(Caller(), Model, null, CancellationToken.None));
        using var stream = await _text.AdmitStreamAsync(Caller(), Model, null, CancellationToken.None);

        Assert.Equal((UsageOutcome.Rejected, 503), (Assert.Single(_ledger.Records).Outcome, _ledger.Records[0].Status));
    }

    [Fact]
    public async Task BillAsync_Twice_Throws()
    {
        using var call = await _text.AdmitAsync(Caller(), Model, null, CancellationToken.None);
        await call.BillAsync(Key, new TokenUsage(1, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.BillAsync(Key, new TokenUsage(1, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 1));
    }

    [Fact]
    public async Task MeteringOff_NoLimitsAndNothingRecorded()
    {
        var metering = Options.Create(new MeteringOptions { Enabled = false, ModelConcurrency = 1, ModelQueueLength = 0 });
        var unmetered = Create(metering, new ModelConcurrencyLimiter(metering));
        var caller = Caller(requestsPerSecond: 0.001, monthlyQuota: 1, unit: CallerPlan.TokensUnit);

        for (var i = 0; i < 2; i++)
        {
            using var call = await unmetered.AdmitAsync(caller, Model, null, CancellationToken.None);
            await call.ReserveAsync(inputs: 1, tokens: 1000);
            await call.BillAsync(Key, new TokenUsage(1000, 0), TimeSpan.Zero, "CPUExecutionProvider", inputs: 1);
        }

        Assert.Empty(_ledger.Records);
        Assert.Empty(_store.Seeded);
    }

    private static CallerIdentity Caller(string id = "caller-1", double requestsPerSecond = 0, long monthlyQuota = 0, string unit = CallerPlan.CallsUnit) =>
        new(id, "key-1", new CallerPlan { RequestsPerSecond = requestsPerSecond, Burst = 1, MonthlyQuota = monthlyQuota, QuotaUnit = unit });

    /// <summary>Whether a call could take the model's only slot now (it is put back at once).</summary>
    private bool SlotIsFree()
    {
        try
        {
            _concurrency.AcquireAsync(Model).AsTask().GetAwaiter().GetResult().Dispose();
            return true;
        }
        catch (ModelSaturatedException)
        {
            return false;
        }
    }

    private sealed class RecordingLedger : IUsageLedger
    {
        public List<UsageRecord> Records { get; } = [];

        public bool FailSuccesses { get; set; }

        public Task AppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            if (FailSuccesses && record.Outcome == UsageOutcome.Success)
            {
                throw new UsageLedgerUnavailableException("the store is down");
            }
            Records.Add(record);
            return Task.CompletedTask;
        }
    }

    /// <summary>A store whose past usage this month is what the test sets, per measure; it notes each seed.</summary>
    private sealed class SeededStore : IUsageStore
    {
        public Dictionary<QuotaMeasure, long> Billed { get; } = [];

        public List<QuotaMeasure> Seeded { get; } = [];

        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default)
        {
            Seeded.Add(measure);
            return Task.FromResult(Billed.GetValueOrDefault(measure));
        }
    }
}
