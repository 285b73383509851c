using System.Diagnostics;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Metering;

/// <summary>
/// The metered inference call, the one way a caller's inference runs: admit (the caller's rate, then the model's
/// concurrency slot), read the request, reserve its share of the caller's monthly quota, run, make the usage record
/// durable, release. Returns the response or throws. Every call is counted in telemetry with the status it is
/// answered with (<see cref="ServerlessException.StatusOf"/>), and every call that was admitted or refused by a limit
/// is recorded once with that status; only a success is billed. Protocol-neutral: the protocol hands over the caller
/// and an <see cref="IInferenceExchange"/>. With metering off, no limit applies and nothing is recorded.
/// </summary>
public sealed class MeteredInference(
    InferenceService inference, CallerRateLimiter rate, MonthlyQuota quota, ModelConcurrencyLimiter concurrency,
    UsageBilling billing, ServerlessMetrics metrics)
{
    /// <summary>
    /// Runs one call. When this returns, its usage record is durable (Metering:Durability), so a 2xx may be sent; the
    /// response's pooled outputs are the caller's to dispose once sent.
    /// </summary>
    /// <param name="cancellationToken">Fires when the caller goes away: a cancellation it causes is recorded as 499.</param>
    public async Task<InferenceResponse> InferAsync(CallerIdentity caller, string model, long? version, IInferenceExchange exchange,
        CancellationToken cancellationToken = default)
    {
        using var call = new Call(billing.Enabled ? caller : CallerIdentity.Unmetered, model);
        if (billing.Enabled)
        {
            await AdmitAsync(call, cancellationToken);
        }
        InferenceResponse? response = null;
        try
        {
            var request = exchange.ReadRequest();
            call.Describe(request.Id, InferenceService.BatchSize(request), exchange.RequestBytes);
            if (billing.Enabled)
            {
                // A tensor call has no tokens: under a tokens plan it reserves nothing (QuotaMeasure.Tokens).
                var share = call.Caller.Plan.Measure switch { QuotaMeasure.Rows => call.Rows, QuotaMeasure.Tokens => 0, _ => 1 };
                call.Reservation = await quota.ReserveAsync(call.Caller, share, cancellationToken);
            }
            call.StartCompute();
            response = await inference.InferAsync(model, version, request, cancellationToken);
            exchange.EnsureSendable(response);
        }
        catch (QuotaExceededException refusal)
        {
            await RejectAsync(call, refusal);
            throw;
        }
        catch (Exception e)
        {
            response?.Dispose();
            await FailAsync(call, ServerlessException.StatusOf(e, cancellationToken));
            throw;
        }
        try
        {
            await BillAsync(call, response);
        }
        catch (Exception e)
        {
            // Not billed, so not answered with a success: the record that failed was the call's one record.
            response.Dispose();
            Finish(call, ServerlessException.StatusOf(e, cancellationToken));
            throw;
        }
        return response;
    }

    /// <summary>
    /// Counts a call refused before it had an identity (missing or wrong key) in telemetry only. Nobody is billed for
    /// it, and a durable record per refusal let anyone without a key fill the store with text of their choosing
    /// (3,000 requests added 30 MB to usage.db in 5 s); the counters are bounded by the known models.
    /// </summary>
    public void RecordUnauthorized(string model, UnauthorizedCallerException refusal)
    {
        metrics.RecordRejected(model, "unauthorized");
        metrics.RecordRequest(model, refusal.StatusCode, TimeSpan.Zero);
    }

    /// <summary>
    /// A call for a model or version the repository does not have: counted in telemetry (under the <c>unknown</c> model
    /// label, as every name the repository does not know) and recorded for the caller as a 404 failure, after taking a
    /// rate token like any call, so a caller looping over unknown names is bounded by its own rate. Never billed.
    /// </summary>
    public async Task RecordNotFoundAsync(CallerIdentity caller, string model, ModelNotFoundException notFound, CancellationToken cancellationToken = default)
    {
        // Names the repository could never hold are kept out of the caller's records: they are not a model anyone has.
        using var call = new Call(billing.Enabled ? caller : CallerIdentity.Unmetered, ModelName.IsValid(model) ? model : "");
        if (billing.Enabled)
        {
            try
            {
                rate.Acquire(call.Caller);
            }
            catch (RateLimitExceededException refusal)
            {
                await RejectAsync(call, refusal);
                throw;
            }
            await billing.RecordUnbilledAsync(call.NewRecord(billing) with { Status = notFound.StatusCode, Outcome = UsageOutcome.Failure });
        }
        Finish(call, ServerlessException.StatusOf(notFound, cancellationToken));
    }

    /// <summary>Takes a rate-limit token, then the model's concurrency slot; a refusal is recorded, then thrown.</summary>
    private async Task AdmitAsync(Call call, CancellationToken cancellationToken)
    {
        try
        {
            rate.Acquire(call.Caller);
            var waitStarted = Stopwatch.GetTimestamp();
            call.Slot = await concurrency.AcquireAsync(call.Model, cancellationToken);
            metrics.RecordQueue(call.Model, Stopwatch.GetElapsedTime(waitStarted));
        }
        catch (ServerlessException refusal) when (refusal is RateLimitExceededException or ModelSaturatedException)
        {
            await RejectAsync(call, refusal);
            throw;
        }
        catch (Exception e)
        {
            // Never admitted (the caller left while queued for a slot): counted, not recorded.
            Finish(call, ServerlessException.StatusOf(e, cancellationToken));
            throw;
        }
    }

    private async Task BillAsync(Call call, InferenceResponse response)
    {
        // The run's own time, not the wall time since the request was read: a cold model's load or a wait in a batch
        // queue is not the caller's compute (the first call after a cold start was billed 0.18 s for a 0.1 ms run).
        var compute = response.ComputeTime;
        // The slot guards the model, not the ledger: waiting for the group commit must not hold other calls back.
        call.ReleaseSlot();
        metrics.RecordCompute(call.Model, compute);
        metrics.RecordCacheLookup(response.Key.Name, response.LoadedForThisCall);
        if (billing.Enabled)
        {
            // No cancellation: the compute is spent, so the call is billed even if its caller has gone meanwhile.
            await billing.BillAsync(call.NewRecord(billing) with
            {
                Version = response.Key.Version,
                ComputeSeconds = compute.TotalSeconds,
                ExecutionProvider = response.ExecutionProvider,
            });
            // Billed: the quota share stays used.
            call.Reservation = null;
        }
        Finish(call, 200);
    }

    /// <summary>The call was admitted but failed with <paramref name="status"/>: recorded, not billed.</summary>
    private async Task FailAsync(Call call, int status)
    {
        call.ReleaseSlot();
        if (billing.Enabled)
        {
            await billing.RecordUnbilledAsync(call.NewRecord(billing) with
            {
                ComputeSeconds = call.ComputeSecondsSoFar,
                Status = status,
                Outcome = UsageOutcome.Failure,
            });
        }
        Finish(call, status);
    }

    private async Task RejectAsync(Call call, ServerlessException refusal)
    {
        call.ReleaseSlot();
        metrics.RecordRejected(call.Model, MeteredCallTelemetry.ReasonOf(refusal));
        await billing.RecordUnbilledAsync(call.NewRecord(billing) with { Status = refusal.StatusCode, Outcome = UsageOutcome.Rejected });
        Finish(call, refusal.StatusCode);
    }

    private void Finish(Call call, int status) => MeteredCallTelemetry.Finish(metrics, call.Model, status, call.Started, call.Activity);

    /// <summary>
    /// One call's state between admission and its end: what its record says so far, and what it holds (the model's
    /// slot, a quota reservation, its trace span) until disposed. Disposing returns a quota share that was not billed.
    /// </summary>
    private sealed class Call : IDisposable
    {
        private long _computeStarted;

        public Call(CallerIdentity caller, string model)
        {
            Caller = caller;
            Model = model;
            Activity = MeteredCallTelemetry.Start("inference", model, caller);
        }

        public CallerIdentity Caller { get; }

        public string Model { get; }

        public Activity? Activity { get; }

        public long Started { get; } = Stopwatch.GetTimestamp();

        public string? RequestId { get; private set; }

        public long Rows { get; private set; }

        public long InputBytes { get; private set; }

        public IDisposable? Slot { get; set; }

        public MonthlyQuota.Reservation? Reservation { get; set; }

        /// <summary>Wall time since the run started, for a failed call (0 when it failed before).</summary>
        public double ComputeSecondsSoFar => _computeStarted == 0 ? 0 : Stopwatch.GetElapsedTime(_computeStarted).TotalSeconds;

        /// <summary>The decoded request is known: its id, rows and size go into the call's record.</summary>
        public void Describe(string? requestId, long rows, long inputBytes) => (RequestId, Rows, InputBytes) = (requestId, rows, inputBytes);

        public void StartCompute() => _computeStarted = Stopwatch.GetTimestamp();

        public UsageRecord NewRecord(UsageBilling billing) =>
            billing.NewRecord(Caller.CallerId, Caller.KeyId, Model, RequestId) with { Rows = Rows, InputBytes = InputBytes };

        public void ReleaseSlot()
        {
            Slot?.Dispose();
            Slot = null;
        }

        public void Dispose()
        {
            Reservation?.Release();
            Reservation = null;
            ReleaseSlot();
            Activity?.Dispose();
        }
    }
}
