using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Metering;

/// <summary>
/// The metered call without a host: the order of its steps, how each way it ends is recorded, and that what it holds
/// (the model's slot, a quota share) is given back. The ledger and the store are hand fakes that keep what they saw.
/// </summary>
public sealed class MeteredInferenceTests
{
    private const string Model = "m";

    private readonly FakeModelRepository _repository = new();
    private readonly RecordingLedger _ledger = new();
    private readonly CountingStore _store = new();
    private readonly List<string> _steps = [];
    private readonly ModelConcurrencyLimiter _concurrency;
    private readonly MeteredInference _inference;

    public MeteredInferenceTests()
    {
        _repository.Versions[Model] = [1];
        var metering = Options.Create(new MeteringOptions { ModelConcurrency = 1, ModelQueueLength = 0 });
        var models = Options.Create(new ModelsOptions());
        var prices = new PriceList(_repository, metering, NullLogger<PriceList>.Instance);
        var cache = TestModelCaches.Create(_repository, new FakeSessionFactory(), models, TimeProvider.System, observers: prices);
        _concurrency = new ModelConcurrencyLimiter(metering);
        _store.Steps = _steps;
        _ledger.Steps = _steps;
        _ledger.SlotIsFree = SlotIsFree;
        _inference = new MeteredInference(new InferenceService(cache), new CallerRateLimiter(), new MonthlyQuota(_store, TimeProvider.System),
            _concurrency, new UsageBilling(_ledger, prices, metering, TimeProvider.System, NullLogger<UsageBilling>.Instance), UsageRecords.Metrics());
    }

    [Fact]
    public async Task InferAsync_AdmittedCall_ReadsUnderTheSlotReservesQuotaRunsThenRecordsAfterReleasingTheSlot()
    {
        var exchange = new Exchange(this);

        using var response = await _inference.InferAsync(Caller(monthlyQuota: 10), Model, null, exchange);

        Assert.Equal(["read (slot held)", "quota seeded", "check response", "record Success 200 (slot free)"], _steps);
        var record = Assert.Single(_ledger.Records);
        Assert.Equal(("caller-1", "key-1", "request-1", 1L, 2L, Exchange.Bytes), (record.CallerId, record.KeyId, record.RequestId, record.Version, record.Rows, record.InputBytes));
        Assert.True(SlotIsFree());
    }

    [Fact]
    public async Task InferAsync_CancelledByTheServer_RecordsTheStatusThePipelineAnswers()
    {
        var cancelled = new OperationCanceledException("a timeout inside the server");
        var exchange = new Exchange(this) { ReadFails = cancelled };

        var thrown = await Assert.ThrowsAsync<OperationCanceledException>(() => _inference.InferAsync(Caller(), Model, null, exchange));

        var record = Assert.Single(_ledger.Records);
        Assert.Equal(UsageOutcome.Failure, record.Outcome);
        Assert.Equal(ServerlessException.StatusOf(thrown, CancellationToken.None), record.Status);
        Assert.Equal(503, record.Status);
        Assert.True(SlotIsFree());
    }

    [Fact]
    public async Task InferAsync_CallerGoneDuringTheCall_Records499()
    {
        using var gone = new CancellationTokenSource();
        var exchange = new Exchange(this) { CallerLeavesOnRead = gone };

        await Assert.ThrowsAsync<OperationCanceledException>(() => _inference.InferAsync(Caller(), Model, null, exchange, gone.Token));

        Assert.Equal(ServerlessException.ClientClosedRequest, Assert.Single(_ledger.Records).Status);
    }

    [Fact]
    public async Task InferAsync_ResponseNotSendable_RecordsAFailureAndGivesTheQuotaShareBack()
    {
        var caller = Caller(monthlyQuota: 1);
        var unsendable = new Exchange(this) { CheckFails = new InvalidInferenceInputException("output 'y' is not UTF-8") };

        await Assert.ThrowsAsync<InvalidInferenceInputException>(() => _inference.InferAsync(caller, Model, null, unsendable));
        using var second = await _inference.InferAsync(caller, Model, null, new Exchange(this));

        Assert.Equal([(UsageOutcome.Failure, 400), (UsageOutcome.Success, 200)], _ledger.Records.Select(r => (r.Outcome, r.Status)));
        Assert.Equal(0m, _ledger.Records[0].Cost);
        Assert.True(SlotIsFree());
    }

    [Fact]
    public async Task InferAsync_OverRateLimit_RecordsARejectionWithoutReadingTheRequest()
    {
        var caller = Caller(requestsPerSecond: 0.001);
        using var first = await _inference.InferAsync(caller, Model, null, new Exchange(this));
        var refused = new Exchange(this);

        var error = await Assert.ThrowsAsync<RateLimitExceededException>(() => _inference.InferAsync(caller, Model, null, refused));

        Assert.False(refused.WasRead);
        Assert.Equal((UsageOutcome.Rejected, error.StatusCode), (_ledger.Records[^1].Outcome, _ledger.Records[^1].Status));
    }

    [Fact]
    public async Task InferAsync_ModelSlotTaken_RecordsARejectionWithoutReadingTheRequest()
    {
        using var held = await _concurrency.AcquireAsync(Model);
        var refused = new Exchange(this);

        await Assert.ThrowsAsync<ModelSaturatedException>(() => _inference.InferAsync(Caller(), Model, null, refused));

        Assert.False(refused.WasRead);
        Assert.Equal((UsageOutcome.Rejected, 503), (_ledger.Records[0].Outcome, _ledger.Records[0].Status));
    }

    [Fact]
    public async Task InferAsync_OverMonthlyQuota_RecordsARejectionWithTheRequestsId()
    {
        var caller = Caller(monthlyQuota: 1);
        using var first = await _inference.InferAsync(caller, Model, null, new Exchange(this));

        await Assert.ThrowsAsync<QuotaExceededException>(() => _inference.InferAsync(caller, Model, null, new Exchange(this)));

        Assert.Equal((UsageOutcome.Rejected, 429, "request-1"), (_ledger.Records[^1].Outcome, _ledger.Records[^1].Status, _ledger.Records[^1].RequestId));
        Assert.True(SlotIsFree());
    }

    [Fact]
    public async Task InferAsync_LedgerUnavailable_ThrowsAndGivesTheQuotaShareBack()
    {
        var caller = Caller(monthlyQuota: 1);
        _ledger.FailSuccesses = true;

        await Assert.ThrowsAsync<UsageLedgerUnavailableException>(() => _inference.InferAsync(caller, Model, null, new Exchange(this)));
        _ledger.FailSuccesses = false;
        using var retried = await _inference.InferAsync(caller, Model, null, new Exchange(this));

        Assert.Equal(UsageOutcome.Success, Assert.Single(_ledger.Records).Outcome);
    }

    [Fact]
    public async Task InferAsync_MeteringOff_RunsWithoutLimitsOrRecords()
    {
        var metering = Options.Create(new MeteringOptions { Enabled = false });
        var models = Options.Create(new ModelsOptions());
        var prices = new PriceList(_repository, metering, NullLogger<PriceList>.Instance);
        var cache = TestModelCaches.Create(_repository, new FakeSessionFactory(), models, TimeProvider.System, observers: prices);
        var unmetered = new MeteredInference(new InferenceService(cache), new CallerRateLimiter(), new MonthlyQuota(_store, TimeProvider.System),
            new ModelConcurrencyLimiter(metering), new UsageBilling(_ledger, prices, metering,
                TimeProvider.System, NullLogger<UsageBilling>.Instance), UsageRecords.Metrics());
        var caller = Caller(requestsPerSecond: 0.001, monthlyQuota: 1);

        using var first = await unmetered.InferAsync(caller, Model, null, new Exchange(this));
        using var second = await unmetered.InferAsync(caller, Model, null, new Exchange(this));

        Assert.Empty(_ledger.Records);
        Assert.DoesNotContain("quota seeded", _steps);
    }

    private static CallerIdentity Caller(double requestsPerSecond = 0, long monthlyQuota = 0) =>
        new("caller-1", "key-1", new CallerPlan { RequestsPerSecond = requestsPerSecond, Burst = 1, MonthlyQuota = monthlyQuota });

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

    /// <summary>A two-row request for the fake model, which notes when it is read and when its response is checked.</summary>
    private sealed class Exchange(MeteredInferenceTests test) : IInferenceExchange
    {
        public const long Bytes = 321;

        public Exception? ReadFails { get; init; }

        /// <summary>Cancelled while the request is read, as the client's connection would be when it leaves.</summary>
        public CancellationTokenSource? CallerLeavesOnRead { get; init; }

        public Exception? CheckFails { get; init; }

        public bool WasRead { get; private set; }

        public long RequestBytes => Bytes;

        public InferenceRequest ReadRequest()
        {
            WasRead = true;
            test._steps.Add(test.SlotIsFree() ? "read (slot free)" : "read (slot held)");
            if (ReadFails is { } failure)
            {
                throw failure;
            }
            if (CallerLeavesOnRead is { } gone)
            {
                gone.Cancel();
                gone.Token.ThrowIfCancellationRequested();
            }
            return new InferenceRequest("request-1", [new InferenceTensor("x", TensorDataType.FP32, [2], new byte[8])], []);
        }

        public void EnsureSendable(InferenceResponse response)
        {
            test._steps.Add("check response");
            if (CheckFails is { } failure)
            {
                throw failure;
            }
        }
    }

    private sealed class RecordingLedger : IUsageLedger
    {
        public List<UsageRecord> Records { get; } = [];

        public List<string> Steps { get; set; } = [];

        public Func<bool> SlotIsFree { get; set; } = () => true;

        public bool FailSuccesses { get; set; }

        public Task AppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            Steps.Add($"record {record.Outcome} {record.Status} ({(SlotIsFree() ? "slot free" : "slot held")})");
            if (FailSuccesses && record.Outcome == UsageOutcome.Success)
            {
                throw new UsageLedgerUnavailableException("the store is down");
            }
            Records.Add(record);
            return Task.CompletedTask;
        }
    }

    /// <summary>A store with no past usage; seeding a caller's quota from it is a step the test can see.</summary>
    private sealed class CountingStore : IUsageStore
    {
        public List<string> Steps { get; set; } = [];

        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<UsageRecord>();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default)
        {
            Steps.Add("quota seeded");
            return Task.FromResult(0L);
        }
    }
}
