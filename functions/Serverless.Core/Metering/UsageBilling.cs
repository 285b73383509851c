using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering.Errors;

namespace Serverless.Core.Metering;

/// <summary>
/// The billing rule, written once for every metered unit of work (an inference call, a text call, a batch shard): one record per
/// unit, stamped and capped here; a success is priced by the model's price list and billed, anything else is recorded
/// unbilled. Nothing is recorded while metering is off.
/// </summary>
public sealed class UsageBilling(IUsageLedger ledger, PriceList prices, IOptions<MeteringOptions> options, TimeProvider time, ILogger<UsageBilling> logger)
{
    /// <summary>Metering:Enabled. Off, nothing is recorded, and a metered call passes no limit either.</summary>
    public bool Enabled { get; } = options.Value.Enabled;

    /// <summary>A record of one unit of work, stamped now; the caller's own text (request id, model name) is capped.</summary>
    public UsageRecord NewRecord(string callerId, string? keyId, string model, string? requestId)
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

    /// <summary>
    /// Prices <paramref name="record"/> (its rows, compute and tokens) as a success and returns once it is durable;
    /// throws <see cref="UsageLedgerUnavailableException"/> when it could not be made so.
    /// </summary>
    public Task BillAsync(UsageRecord record, CancellationToken cancellationToken = default) =>
        BillAsync(record, 200, cancellationToken);

    /// <summary>
    /// As <see cref="BillAsync(UsageRecord, CancellationToken)"/>, answered with <paramref name="status"/>: 499 for a
    /// stream the client left, billed for what was generated until then.
    /// </summary>
    /// <remarks>
    /// Not an async method while the price is known (every call after a model's load): it returns the ledger's task,
    /// so a call waiting for its group commit suspends in its caller only, not once more in here.
    /// </remarks>
    public Task BillAsync(UsageRecord record, int status, CancellationToken cancellationToken = default)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
        }
        var pricing = prices.PricingOfAsync(record.Model, cancellationToken);
        return pricing.IsCompletedSuccessfully
            ? Append(record, status, pricing.Result, cancellationToken)
            : BillAfterPricingAsync(record, status, pricing, cancellationToken);
    }

    private async Task BillAfterPricingAsync(UsageRecord record, int status, ValueTask<ModelPricing> pricing, CancellationToken cancellationToken) =>
        await Append(record, status, await pricing, cancellationToken);

    private Task Append(UsageRecord record, int status, ModelPricing pricing, CancellationToken cancellationToken) =>
        ledger.AppendAsync(record with
        {
            Status = status,
            Outcome = UsageOutcome.Success,
            Cost = pricing.CostOf(record.Rows, record.ComputeSeconds, record.InputTokens, record.OutputTokens),
        }, cancellationToken);

    /// <summary>
    /// Records a failed or refused unit of work, not billed. Its caller is already failing: losing the record is
    /// logged, so it never hides the call's own error.
    /// </summary>
    public async Task RecordUnbilledAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        if (!Enabled)
        {
            return;
        }
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
