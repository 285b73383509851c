using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Metering;

/// <summary>
/// Meters inference calls: admits them through the limits (recording refusals), prices and records their outcome,
/// and reports their telemetry. Protocol-neutral: the HTTP layer hands it a <see cref="CallerIdentity"/>.
/// </summary>
public sealed class UsageMeter(
    IUsageLedger ledger, CallLimits limits, PriceList prices, ServerlessMetrics metrics,
    IOptions<MeteringOptions> options, TimeProvider time, ILogger<UsageMeter> logger)
{
    public bool Enabled { get; } = options.Value.Enabled;

    internal ServerlessMetrics Metrics => metrics;

    internal CallLimits Limits => limits;

    internal TimeProvider Time => time;

    /// <summary>Takes a rate-limit token and the model's concurrency slot; a refused call is recorded, then thrown.</summary>
    public async Task<MeteredCall> AdmitAsync(CallerIdentity caller, string model, CancellationToken cancellationToken = default)
    {
        var call = new MeteredCall(this, Enabled ? caller : CallerIdentity.Unmetered, model);
        if (!Enabled)
        {
            return call;
        }
        try
        {
            limits.Rate.Acquire(caller);
            var waitStarted = Stopwatch.GetTimestamp();
            call.Slot = await limits.Concurrency.AcquireAsync(model, cancellationToken);
            metrics.RecordQueue(model, Stopwatch.GetElapsedTime(waitStarted));
        }
        catch (ServerlessException e) when (e is RateLimitExceededException or ModelSaturatedException)
        {
            await call.RejectAsync(e);
            throw;
        }
        return call;
    }

    /// <summary>
    /// Counts a call refused before it had an identity (missing or wrong key) in telemetry only. Nobody is billed for
    /// it, and a durable record per refusal let anyone without a key fill the store with text of their choosing
    /// (3,000 requests added 30 MB to usage.db in 5 s); the counters are bounded by the known models.
    /// </summary>
    public Task RecordUnauthorizedAsync(string model, string? requestId, int status, CancellationToken cancellationToken = default)
    {
        metrics.RecordRejected(model, "unauthorized");
        metrics.RecordRequest(model, status, TimeSpan.Zero);
        return Task.CompletedTask;
    }

    internal async Task<decimal> PriceAsync(string model, long rows, double computeSeconds) =>
        (await prices.PricingOfAsync(model)).CostOf(rows, computeSeconds);

    internal UsageRecord NewRecord(string callerId, string? keyId, string model, string? requestId)
    {
        var id = UsageRecord.NewId();
        return new UsageRecord
        {
            Id = id,
            RequestId = string.IsNullOrEmpty(requestId) ? id : UsageRecord.Capped(requestId),
            CallerId = callerId,
            KeyId = keyId,
            Model = UsageRecord.Capped(model),
            Time = time.GetUtcNow(),
        };
    }

    internal Task AppendAsync(UsageRecord record) => ledger.AppendAsync(record);

    /// <summary>For records of calls that already fail: losing one must not hide the call's own error.</summary>
    internal async Task TryAppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        try
        {
            await ledger.AppendAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is UsageLedgerUnavailableException or OperationCanceledException)
        {
            logger.LogWarning("Usage record {RecordId} of a {Outcome} call to {Model} was not written: {Reason}", record.Id, record.Outcome, record.Model, e.Message);
        }
    }
}
