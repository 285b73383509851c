using System.Diagnostics;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Telemetry;
using Serverless.Core.Text;

namespace Serverless.Core.Metering;

/// <summary>
/// One admitted text call (<see cref="MeteredText"/>): what its record says so far and what it holds (the model's slot
/// for an embeddings call, a quota reservation, its trace span). It ends once, with <see cref="BillAsync"/>,
/// <see cref="FailAsync"/> or <see cref="RejectAsync"/>; disposing it gives back a reservation that was not billed and
/// any slot still held.
/// </summary>
public sealed class MeteredTextCall : IDisposable
{
    private readonly MeteredText _metering;
    private long _computeStarted;
    private int _ended;
    private bool _reserved;

    internal MeteredTextCall(MeteredText metering, CallerIdentity caller, string model, string? requestId)
    {
        _metering = metering;
        Caller = caller;
        Model = model;
        RequestId = requestId;
        Activity = MeteredCallTelemetry.Start("text", model, caller);
    }

    /// <summary>Who is billed: <see cref="CallerIdentity.Unmetered"/> while metering is off.</summary>
    public CallerIdentity Caller { get; }

    public string Model { get; }

    public string? RequestId { get; }

    /// <summary>Inputs (texts or prompts) the call reserved for: the record's rows.</summary>
    public long Inputs { get; private set; }

    internal Activity? Activity { get; }

    internal long Started { get; } = Stopwatch.GetTimestamp();

    internal IDisposable? Slot { get; set; }

    private MonthlyQuota.Reservation? Reservation { get; set; }

    /// <summary>
    /// Reserves the call's share of the caller's monthly quota, once the request is tokenized and checked: 1 under a
    /// calls plan, <paramref name="inputs"/> under a rows plan, <paramref name="tokens"/> under a tokens plan (prompt
    /// tokens plus the most the call may generate: <c>max_tokens</c> per choice). <see cref="BillAsync"/> settles it to
    /// what was used. Over the quota: recorded as rejected, then <see cref="QuotaExceededException"/> (429) is thrown.
    /// </summary>
    public async Task ReserveAsync(long inputs, long tokens, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputs);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (_reserved)
        {
            throw new InvalidOperationException("a text call reserves its quota share once");
        }
        _reserved = true;
        Inputs = inputs;
        var share = Caller.Plan.Measure switch
        {
            QuotaMeasure.Rows => inputs,
            QuotaMeasure.Tokens => tokens,
            _ => 1,
        };
        try
        {
            Reservation = await _metering.ReserveAsync(this, share, cancellationToken);
        }
        catch (QuotaExceededException)
        {
            // Recorded as rejected: the call's one record is written.
            Volatile.Write(ref _ended, 1);
            throw;
        }
    }

    /// <summary>The model starts running: a failure from here on records the compute spent.</summary>
    public void StartCompute() => _computeStarted = Stopwatch.GetTimestamp();

    /// <summary>
    /// Bills the call, priced by the model's token prices (<see cref="UsageBilling"/>), and returns once the record is
    /// durable; the model's slot is given back first. A 2xx may be sent (or the stream's last event) once it returns;
    /// it throws <see cref="UsageLedgerUnavailableException"/> (503) when the record could not be written, and the
    /// call is then not billed.
    /// </summary>
    /// <param name="key">The version that ran.</param>
    /// <param name="usage">The tokens fed to the model and generated: exactly what the response's <c>usage</c> says.</param>
    /// <param name="compute">The model's own run time, not the wall time of the call (no load, no queue).</param>
    /// <param name="inputs">Texts embedded or prompts completed: the record's rows.</param>
    /// <param name="status">200; or 499 when the client left a stream, billed for what was generated until then.</param>
    public Task BillAsync(ModelKey key, TokenUsage usage, TimeSpan compute, string executionProvider, long inputs, int status = 200)
    {
        if (status is not ((>= 200 and < 300) or ServerlessException.ClientClosedRequest))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "a billed text call is answered 2xx, or 499 when its client left");
        }
        if (!End())
        {
            throw new InvalidOperationException("a text call is billed once, and not after it failed or was refused");
        }
        var record = _metering.NewRecord(this) with
        {
            Version = key.Version,
            Rows = inputs,
            InputTokens = usage.PromptTokens,
            OutputTokens = usage.CompletionTokens,
            ComputeSeconds = compute.TotalSeconds,
            ExecutionProvider = executionProvider,
        };
        return BillAsync(record, compute, status, Caller.Plan.Measure switch
        {
            QuotaMeasure.Rows => inputs,
            QuotaMeasure.Tokens => usage.TotalTokens,
            _ => 1,
        });
    }

    private async Task BillAsync(UsageRecord record, TimeSpan compute, int status, long used)
    {
        await _metering.BillAsync(this, record, compute, status);
        // Billed: the quota counts what was used, not what was reserved.
        Reservation?.Settle(used);
        Reservation = null;
    }

    /// <summary>
    /// The call failed before or while running: recorded unbilled with the status it is answered with
    /// (<see cref="ServerlessException.StatusOf"/>: 499 when <paramref name="callerGone"/> fired). A refusal by a limit
    /// (rate, quota, saturated model) is recorded as rejected instead. Never throws for the record: the call's own
    /// error is what the caller sees. Safe for any error of the call: once its record is written (a quota refusal
    /// from <see cref="ReserveAsync"/>, or <see cref="BillAsync"/> reached the ledger and it failed) it does nothing.
    /// </summary>
    /// <param name="key">The version, once resolved.</param>
    /// <param name="usage">Tokens known so far, kept in the record for the record's reader; not billed.</param>
    public Task FailAsync(Exception error, ModelKey? key, TokenUsage usage, CancellationToken callerGone)
    {
        if (error is ServerlessException refusal and (RateLimitExceededException or QuotaExceededException or ModelSaturatedException))
        {
            return RejectAsync(refusal);
        }
        if (!End())
        {
            return Task.CompletedTask;
        }
        return _metering.FailAsync(this, _metering.NewRecord(this) with
        {
            Version = key?.Version ?? 0,
            Rows = Inputs,
            InputTokens = usage.PromptTokens,
            OutputTokens = usage.CompletionTokens,
            ComputeSeconds = _computeStarted == 0 ? 0 : Stopwatch.GetElapsedTime(_computeStarted).TotalSeconds,
            Status = ServerlessException.StatusOf(error, callerGone),
            Outcome = UsageOutcome.Failure,
        });
    }

    /// <summary>
    /// A limit of the text service refused the call (e.g. all of a model's generation slots busy, 429): recorded as
    /// rejected, not billed, counted in telemetry as rejected. Does nothing once the call's record is written.
    /// </summary>
    public Task RejectAsync(ServerlessException refusal) => End() ? _metering.RejectAsync(this, refusal) : Task.CompletedTask;

    internal UsageRecord NewRecord(UsageBilling billing) =>
        billing.NewRecord(Caller.CallerId, Caller.KeyId, Model, RequestId) with { Rows = Inputs };

    internal void ReleaseSlot()
    {
        Slot?.Dispose();
        Slot = null;
    }

    /// <summary>Marks the call ended; false when it already was (its one record is written or being written).</summary>
    private bool End() => Interlocked.Exchange(ref _ended, 1) == 0;

    public void Dispose()
    {
        Reservation?.Release();
        Reservation = null;
        ReleaseSlot();
        Activity?.Dispose();
    }
}
