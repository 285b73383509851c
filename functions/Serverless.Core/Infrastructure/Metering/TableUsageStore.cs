using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// Usage records in Table storage, partitioned by caller and UTC day ("acme|2025-06-01") so a caller's month is a
/// range of partitions. A group commit becomes one entity-group transaction per partition and per 100 records
/// (Table storage allows a transaction only within one partition and up to 100 operations), sent in parallel.
/// </summary>
public sealed class TableUsageStore(MeteringTables tables) : IUsageStore
{
    private const int MaxTransactionSize = 100;

    /// <summary>
    /// A group costs a round trip (tens of ms against Azurite on a busy box, 38 ms for 111 records at 256 clients), and one
    /// group at a time capped an instance near 3,000 records a second; groups are independent, so several may be in flight.
    /// </summary>
    public int MaxConcurrentAppends => 8;

    public async Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        var chunks = records.GroupBy(PartitionOf).SelectMany(p => p.Chunk(MaxTransactionSize)).ToList();
        var failures = (await Task.WhenAll(chunks.Select(SubmitAsync))).OfType<Failure>().ToList();
        if (failures.Count > 0)
        {
            throw new UsageStoreException($"Table storage rejected {failures.Count} of {chunks.Count} usage transactions: {failures[0].Error.Message}",
                failures.SelectMany(f => f.Chunk).Select(r => r.Id).ToHashSet(), failures[0].Error);
        }

        async Task<Failure?> SubmitAsync(UsageRecord[] chunk)
        {
            try
            {
                // Upsert, so a transaction the SDK retries after a lost response does not fail as a conflict.
                await tables.Usage.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))), cancellationToken);
                return null;
            }
            catch (RequestFailedException e)
            {
                return new Failure(chunk, e);
            }
        }
    }

    private sealed record Failure(UsageRecord[] Chunk, RequestFailedException Error);

    public async IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        await foreach (var entity in tables.Usage.QueryAsync<TableEntity>(Filter(query.CallerId, query.Model, query.From, query.To), cancellationToken: cancellationToken))
        {
            yield return FromEntity(entity);
        }
    }

    public async Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, bool rows, CancellationToken cancellationToken = default)
    {
        await tables.EnsureCreatedAsync();
        var filter = $"{Filter(callerId, null, from, to)} and {TableClient.CreateQueryFilter($"Outcome eq {nameof(UsageOutcome.Success)}")}";
        long total = 0;
        await foreach (var entity in tables.Usage.QueryAsync<TableEntity>(filter, select: ["Rows"], cancellationToken: cancellationToken))
        {
            total += rows ? entity.GetInt64("Rows") ?? 0 : 1;
        }
        return total;
    }

    private static string PartitionOf(UsageRecord record) => PartitionOf(record.CallerId, record.Time);

    private static string PartitionOf(string callerId, DateTimeOffset time) =>
        $"{callerId}|{time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    private static string Filter(string? callerId, string? model, DateTimeOffset from, DateTimeOffset to)
    {
        var filter = TableClient.CreateQueryFilter($"Time ge {from} and Time lt {to}");
        if (callerId is not null)
        {
            // The caller's partitions for the days in range; the Time condition trims the first and last day.
            filter += " and " + TableClient.CreateQueryFilter($"PartitionKey ge {PartitionOf(callerId, from)} and PartitionKey le {PartitionOf(callerId, to)}");
        }
        if (model is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Model eq {model}");
        }
        return filter;
    }

    private static TableEntity ToEntity(UsageRecord r) => new(PartitionOf(r), r.Id)
    {
        ["RequestId"] = r.RequestId,
        ["CallerId"] = r.CallerId,
        ["KeyId"] = r.KeyId,
        ["Model"] = r.Model,
        ["Version"] = r.Version,
        ["Time"] = r.Time,
        ["Rows"] = r.Rows,
        ["InputBytes"] = r.InputBytes,
        ["ComputeSeconds"] = r.ComputeSeconds,
        ["ExecutionProvider"] = r.ExecutionProvider,
        ["Status"] = r.Status,
        ["Outcome"] = r.Outcome.ToString(),
        // Decimal has no Table storage type; text keeps the exact value.
        ["Cost"] = r.Cost.ToString(CultureInfo.InvariantCulture),
    };

    private static UsageRecord FromEntity(TableEntity e) => new()
    {
        Id = e.RowKey,
        RequestId = e.GetString("RequestId") ?? e.RowKey,
        CallerId = e.GetString("CallerId") ?? "",
        KeyId = e.GetString("KeyId"),
        Model = e.GetString("Model") ?? "",
        Version = e.GetInt64("Version") ?? 0,
        Time = e.GetDateTimeOffset("Time") ?? default,
        Rows = e.GetInt64("Rows") ?? 0,
        InputBytes = e.GetInt64("InputBytes") ?? 0,
        ComputeSeconds = e.GetDouble("ComputeSeconds") ?? 0,
        ExecutionProvider = e.GetString("ExecutionProvider") ?? "",
        Status = e.GetInt32("Status") ?? 0,
        Outcome = Enum.TryParse<UsageOutcome>(e.GetString("Outcome"), out var outcome) ? outcome : UsageOutcome.Failure,
        Cost = decimal.TryParse(e.GetString("Cost"), NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) ? cost : 0,
    };
}
