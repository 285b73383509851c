using Microsoft.Extensions.Logging;
using Serverless.Core.Metering;

namespace Serverless.Core.Jobs;

/// <summary>
/// Bills a counted shard by the same rule as an inference call (<see cref="UsageBilling"/>): the job's caller, the rows
/// scored, the compute time and, for a text model, the input tokens, priced by the model's price list. Nothing is recorded while metering is off.
/// </summary>
/// <remarks>
/// Both wait for the record to be durable; they differ in what a record that could not be written means. An inference
/// call is answered only after its record is durable, so a lost record is a 503 and the caller retries unbilled. A
/// shard is recorded after the job has counted it, and counting is what makes a redelivered shard a no-op (see
/// <see cref="JobCompletion"/>): failing the message would retry a shard that is already done and still never record
/// it, so a lost record is logged instead.
/// </remarks>
public sealed class LedgerShardUsageRecorder(UsageBilling billing, ILogger<LedgerShardUsageRecorder> logger) : IShardUsageRecorder
{
    public async Task RecordAsync(ShardUsage usage, CancellationToken cancellationToken = default)
    {
        var caller = CallerId.IsValid(usage.Caller) ? usage.Caller! : CallerId.Anonymous;
        var record = billing.NewRecord(caller, keyId: null, usage.Model, $"{usage.JobId}/shard-{usage.Shard:D5}") with
        {
            Version = usage.ModelVersion,
            Rows = usage.RowsScored,
            ComputeSeconds = usage.ComputeTime.TotalSeconds,
            InputTokens = usage.InputTokens,
        };
        try
        {
            await billing.BillAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError("Usage of shard {Shard} of job {JobId} ({Rows} rows) was not recorded: {Reason}", usage.Shard, usage.JobId, usage.RowsScored, e.Message);
        }
    }
}
