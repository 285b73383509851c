using System.Diagnostics;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Metering;

/// <summary>
/// The metering of a text call (embeddings, generation), billed in tokens: what <see cref="MeteredInference"/> is to a
/// tensor call, with the steps in the caller's hands because only the text service knows when it has tokenized (the
/// quota's share), run (the tokens used) or failed. Admit here, then on the returned <see cref="MeteredTextCall"/>:
/// reserve, start the compute, and end with <see cref="MeteredTextCall.BillAsync"/> or
/// <see cref="MeteredTextCall.FailAsync"/>; dispose it in every case. Every call admitted or refused by a limit is
/// recorded once and counted in telemetry with the status it is answered with; only a billed call is priced (one
/// rule: <see cref="UsageBilling"/>). With metering off, no limit applies and nothing is recorded.
/// </summary>
public sealed class MeteredText(
    CallerRateLimiter rate, MonthlyQuota quota, ModelConcurrencyLimiter concurrency, UsageBilling billing, ServerlessMetrics metrics)
{
    /// <summary>
    /// Takes the caller's rate-limit token, then one of the model's concurrency slots (Metering:ModelConcurrency, as a
    /// tensor call does): an embeddings call. A refusal (429 rate, 503 saturated) is recorded as rejected, then thrown.
    /// </summary>
    /// <param name="model">The model's name (without a version): the record's and the telemetry's model.</param>
    /// <param name="requestId">The caller's id for the call, kept in the record; null gives the record's own id.</param>
    /// <param name="cancellationToken">Fires when the caller goes away (while queued for a slot).</param>
    public Task<MeteredTextCall> AdmitAsync(CallerIdentity caller, string model, string? requestId, CancellationToken cancellationToken = default) =>
        AdmitAsync(caller, model, requestId, takeModelSlot: true, cancellationToken);

    /// <summary>
    /// Takes the caller's rate-limit token only: a generation. A stream holds its model for seconds, and the model's
    /// slots queue; the generation service bounds its streams itself (429 at once, never a queue) and hands a refusal
    /// to <see cref="MeteredTextCall.RejectAsync"/>.
    /// </summary>
    public Task<MeteredTextCall> AdmitStreamAsync(CallerIdentity caller, string model, string? requestId, CancellationToken cancellationToken = default) =>
        AdmitAsync(caller, model, requestId, takeModelSlot: false, cancellationToken);

    private async Task<MeteredTextCall> AdmitAsync(CallerIdentity caller, string model, string? requestId, bool takeModelSlot, CancellationToken cancellationToken)
    {
        var call = new MeteredTextCall(this, billing.Enabled ? caller : CallerIdentity.Unmetered, model, requestId);
        if (!billing.Enabled)
        {
            return call;
        }
        try
        {
            rate.Acquire(call.Caller);
            if (takeModelSlot)
            {
                var waitStarted = Stopwatch.GetTimestamp();
                call.Slot = await concurrency.AcquireAsync(model, cancellationToken);
                metrics.RecordQueue(model, Stopwatch.GetElapsedTime(waitStarted));
            }
            return call;
        }
        catch (ServerlessException refusal) when (refusal is RateLimitExceededException or ModelSaturatedException)
        {
            await RejectAsync(call, refusal);
            call.Dispose();
            throw;
        }
        catch (Exception e)
        {
            // Never admitted (the caller left while queued for a slot): counted, not recorded.
            Finish(call, ServerlessException.StatusOf(e, cancellationToken));
            call.Dispose();
            throw;
        }
    }

    internal async Task<MonthlyQuota.Reservation?> ReserveAsync(MeteredTextCall call, long share, CancellationToken cancellationToken)
    {
        if (!billing.Enabled)
        {
            return null;
        }
        try
        {
            return await quota.ReserveAsync(call.Caller, share, cancellationToken);
        }
        catch (QuotaExceededException refusal)
        {
            await RejectAsync(call, refusal);
            throw;
        }
    }

    /// <summary>The run is over: the slot goes back, then the record is made durable (no cancellation: the compute is spent).</summary>
    internal async Task BillAsync(MeteredTextCall call, UsageRecord record, TimeSpan compute, int status)
    {
        // The slot guards the model, not the ledger: waiting for the group commit must not hold other calls back.
        call.ReleaseSlot();
        metrics.RecordCompute(call.Model, compute);
        try
        {
            await billing.BillAsync(record, status);
        }
        catch (Exception e)
        {
            // Not billed, so not answered with a success: the record that failed was the call's one record.
            Finish(call, ServerlessException.StatusOf(e, CancellationToken.None));
            throw;
        }
        metrics.RecordTokens(call.Model, record.InputTokens, record.OutputTokens);
        Finish(call, status);
    }

    internal async Task FailAsync(MeteredTextCall call, UsageRecord record)
    {
        call.ReleaseSlot();
        await billing.RecordUnbilledAsync(record);
        Finish(call, record.Status);
    }

    internal async Task RejectAsync(MeteredTextCall call, ServerlessException refusal)
    {
        call.ReleaseSlot();
        metrics.RecordRejected(call.Model, MeteredCallTelemetry.ReasonOf(refusal));
        await billing.RecordUnbilledAsync(call.NewRecord(billing) with { Status = refusal.StatusCode, Outcome = UsageOutcome.Rejected });
        Finish(call, refusal.StatusCode);
    }

    internal UsageRecord NewRecord(MeteredTextCall call) => call.NewRecord(billing);

    private void Finish(MeteredTextCall call, int status) => MeteredCallTelemetry.Finish(metrics, call.Model, status, call.Started, call.Activity);
}
