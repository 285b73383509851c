using System.Diagnostics;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Metering;

/// <summary>
/// One inference call between admission and its usage record: holds the model's concurrency slot and the quota
/// reservation, and ends exactly once as billed (<see cref="SucceedAsync"/>), failed or rejected.
/// Dispose it when the call is answered: that frees the slot and returns an unused quota reservation.
/// </summary>
public sealed class MeteredCall : IAsyncDisposable
{
    private readonly UsageMeter _meter;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Activity? _activity;
    private MonthlyQuota.Reservation? _reservation;
    private long _computeStarted;
    private string? _requestId;
    private long _rows;
    private long _inputBytes;

    internal MeteredCall(UsageMeter meter, CallerIdentity caller, string model)
    {
        _meter = meter;
        Caller = caller;
        Model = model;
        _activity = ServerlessActivities.Source.StartActivity("inference");
        _activity?.SetTag("serverless.model", model);
        _activity?.SetTag("serverless.caller", caller.CallerId);
    }

    public CallerIdentity Caller { get; }

    public string Model { get; }

    /// <summary>True until the call has been recorded one way or another.</summary>
    public bool IsOpen { get; private set; } = true;

    internal IDisposable? Slot { get; set; }

    /// <summary>The parsed request is known: reserves its share of the monthly quota (429, recorded, when over it).</summary>
    public async Task BeginAsync(string? requestId, long rows, long inputBytes, CancellationToken cancellationToken = default)
    {
        (_requestId, _rows, _inputBytes) = (requestId, rows, inputBytes);
        if (_meter.Enabled)
        {
            try
            {
                _reservation = await _meter.Limits.Quota.ReserveAsync(Caller, Caller.Plan.CountsRows ? rows : 1, cancellationToken);
            }
            catch (QuotaExceededException e)
            {
                await RejectAsync(e);
                throw;
            }
        }
        _computeStarted = Stopwatch.GetTimestamp();
    }

    /// <summary>Bills the call; returns once its record is durable, so only then may a 2xx be sent.</summary>
    public async Task SucceedAsync(InferenceResponse response)
    {
        // The run's own time, not the wall time since the request was read: a cold model's load or a wait in a batch
        // queue is not the caller's compute (the first call after a cold start was billed 0.18 s for a 0.1 ms run).
        var compute = response.ComputeTime;
        IsOpen = false;
        // The slot guards the model, not the ledger: waiting for the group commit must not hold other calls back.
        ReleaseSlot();
        _meter.Metrics.RecordCompute(Model, compute);
        var version = long.TryParse(response.ModelVersion, out var parsed) ? parsed : 0;
        _meter.Metrics.RecordCacheLookup(new Repository.ModelKey(response.ModelName, version), _started);
        if (_meter.Enabled)
        {
            var record = _meter.NewRecord(Caller.CallerId, Caller.KeyId, Model, _requestId) with
            {
                Version = version,
                Rows = _rows,
                InputBytes = _inputBytes,
                ComputeSeconds = compute.TotalSeconds,
                ExecutionProvider = response.ExecutionProvider,
                Status = 200,
                Outcome = UsageOutcome.Success,
                Cost = await _meter.PriceAsync(Model, _rows, compute.TotalSeconds),
            };
            try
            {
                await _meter.AppendAsync(record);
            }
            catch (UsageLedgerUnavailableException)
            {
                Finish(503);
                throw;
            }
            // Billed: the quota share stays used.
            _reservation = null;
        }
        Finish(200);
    }

    /// <summary>The call was admitted but failed with <paramref name="status"/>: recorded, not billed.</summary>
    public async Task FailAsync(int status)
    {
        if (!IsOpen)
        {
            return;
        }
        IsOpen = false;
        ReleaseSlot();
        if (_meter.Enabled)
        {
            var compute = _computeStarted == 0 ? 0 : Stopwatch.GetElapsedTime(_computeStarted).TotalSeconds;
            await _meter.TryAppendAsync(_meter.NewRecord(Caller.CallerId, Caller.KeyId, Model, _requestId) with
            {
                Rows = _rows,
                InputBytes = _inputBytes,
                ComputeSeconds = compute,
                Status = status,
                Outcome = UsageOutcome.Failure,
            });
        }
        Finish(status);
    }

    internal async Task RejectAsync(ServerlessException refusal)
    {
        IsOpen = false;
        ReleaseSlot();
        var reason = refusal switch
        {
            RateLimitExceededException => "rate_limited",
            QuotaExceededException => "quota_exceeded",
            ModelSaturatedException => "saturated",
            _ => "rejected",
        };
        _meter.Metrics.RecordRejected(Model, reason);
        await _meter.TryAppendAsync(_meter.NewRecord(Caller.CallerId, Caller.KeyId, Model, _requestId) with
        {
            Rows = _rows,
            InputBytes = _inputBytes,
            Status = refusal.StatusCode,
            Outcome = UsageOutcome.Rejected,
        });
        Finish(refusal.StatusCode);
    }

    private void Finish(int status)
    {
        _meter.Metrics.RecordRequest(Model, status, Stopwatch.GetElapsedTime(_started));
        _activity?.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            _activity?.SetStatus(ActivityStatusCode.Error);
        }
    }

    private void ReleaseSlot()
    {
        Slot?.Dispose();
        Slot = null;
    }

    public ValueTask DisposeAsync()
    {
        _reservation?.Release();
        _reservation = null;
        ReleaseSlot();
        _activity?.Dispose();
        return ValueTask.CompletedTask;
    }
}
