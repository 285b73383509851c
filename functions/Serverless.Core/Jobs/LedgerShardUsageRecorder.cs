using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering;

namespace Serverless.Core.Jobs;

/// <summary>
/// Bills a counted shard in the usage ledger like an inference call: the job's caller, the rows scored, the compute
/// time, priced by the model's price list. Nothing is recorded while metering is off.
/// </summary>
public sealed class LedgerShardUsageRecorder(IUsageLedger ledger, PriceList prices, IOptions<MeteringOptions> options, TimeProvider time,
    ILogger<LedgerShardUsageRecorder> logger) : IShardUsageRecorder
{
    public async Task RecordAsync(ShardUsage usage, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var pricing = await prices.PricingOfAsync(usage.Model, cancellationToken);
        var record = new UsageRecord
        {
            Id = UsageRecord.NewId(),
            RequestId = $"{usage.JobId}/shard-{usage.Shard:D5}",
            CallerId = CallerId.IsValid(usage.Caller) ? usage.Caller! : CallerId.Anonymous,
            Model = usage.Model,
            Version = usage.ModelVersion,
            Time = time.GetUtcNow(),
            Rows = usage.RowsScored,
            ComputeSeconds = usage.ComputeTime.TotalSeconds,
            Status = 200,
            Outcome = UsageOutcome.Success,
            Cost = pricing.CostOf(usage.RowsScored, usage.ComputeTime.TotalSeconds),
        };
        try
        {
            await ledger.AppendAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The shard is already counted, so a retry would not bill it again: losing the record is logged, not retried.
            logger.LogError("Usage of shard {Shard} of job {JobId} ({Rows} rows) was not recorded: {Reason}", usage.Shard, usage.JobId, usage.RowsScored, e.Message);
        }
    }
}
