using Azure;
using Azure.Data.Tables;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// Job state in Azure Table storage. A job is one entity (PartitionKey = job id, RowKey <c>job</c>) updated with
/// If-Match on its ETag; each finished shard is its own entity in the job's partition (RowKey <c>shard-00003</c>).
/// </summary>
public sealed class TableJobStore(TableClient table) : IJobStore
{
    private const string JobRow = "job";
    private const string ShardRowPrefix = "shard-";
    // Listing scans job entities; bounding by age keeps GET /jobs cheap as the table grows.
    private static readonly TimeSpan ListWindow = TimeSpan.FromDays(30);

    public async Task InitializeAsync(CancellationToken cancellationToken = default) =>
        await table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<bool> TryCreateAsync(JobRecord job, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.AddEntityAsync(ToEntity(job), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(id, JobRow, cancellationToken: cancellationToken);
        return entity.HasValue ? FromEntity(entity.Value!) : null;
    }

    public async Task<JobUpdate> UpdateAsync(string id, Func<JobRecord, JobRecord?> change, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var current = await GetAsync(id, cancellationToken) ?? throw new JobNotFoundException(id);
            if (change(current) is not { } changed)
            {
                return new JobUpdate(current, false);
            }
            try
            {
                var response = await table.UpdateEntityAsync(ToEntity(changed), new ETag(current.ConcurrencyToken!), TableUpdateMode.Replace, cancellationToken);
                return new JobUpdate(changed with { ConcurrencyToken = response.Headers.ETag?.ToString() }, true);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another instance updated the job first: apply the change to its version.
            }
        }
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(int max, string? caller, CancellationToken cancellationToken = default)
    {
        var since = DateTimeOffset.UtcNow - ListWindow;
        var jobs = new List<JobRecord>();
        // Jobs recorded before the Caller property existed have none, so they are listed to the admin only.
        var filter = caller is null
            ? TableClient.CreateQueryFilter($"RowKey eq {JobRow} and CreatedAt ge {since}")
            : TableClient.CreateQueryFilter($"RowKey eq {JobRow} and CreatedAt ge {since} and Caller eq {caller}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            jobs.Add(FromEntity(entity));
        }
        return jobs.OrderByDescending(j => j.CreatedAt).Take(max).ToList();
    }

    public async Task SaveShardAsync(ShardResult result, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(result.JobId, ShardRow(result.Shard)) { ["Result"] = JobRecordJson.Serialize(result) };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<ShardResult>> ListShardsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var shards = new List<ShardResult>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {jobId} and RowKey ge {ShardRowPrefix} and RowKey lt {"shard."}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            shards.Add(JobRecordJson.DeserializeShard(entity.GetString("Result")));
        }
        return shards.OrderBy(s => s.Shard).ToList();
    }

    public async Task<int> CountAsync(string caller, int atMost, CancellationToken cancellationToken = default)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"RowKey eq {JobRow} and Caller eq {caller}");
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            if (++count >= atMost)
            {
                break;
            }
        }
        return count;
    }

    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        // A job completed before the cutoff was created before it too; the record decides whether it finished.
        var filter = TableClient.CreateQueryFilter($"RowKey eq {JobRow} and CreatedAt lt {cutoff}");
        var expired = new List<(string Id, ETag ETag)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (JobRetention.IsExpired(FromEntity(entity), cutoff))
            {
                expired.Add((entity.PartitionKey, entity.ETag));
            }
        }
        foreach (var (id, etag) in expired)
        {
            // Shard rows first, the job last: a sweep cut short leaves the job, which the next sweep finds again.
            var shards = TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ne {JobRow}");
            await foreach (var shard in table.QueryAsync<TableEntity>(shards, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await DeleteIfExistsAsync(shard.PartitionKey, shard.RowKey, ETag.All, cancellationToken);
            }
            // With the job's ETag: a finished record does not change, and one that did is kept for the next sweep.
            if (await DeleteIfExistsAsync(id, JobRow, etag, cancellationToken))
            {
                deleted++;
            }
        }
        return deleted;
    }

    private async Task<bool> DeleteIfExistsAsync(string partition, string row, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, etag, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Another instance's sweep got there first, or the record changed since it was read.
            return false;
        }
    }

    private static string ShardRow(int shard) => $"{ShardRowPrefix}{shard:D5}";

    private static TableEntity ToEntity(JobRecord job) => new(job.Id, JobRow)
    {
        ["Record"] = JobRecordJson.Serialize(job),
        ["CreatedAt"] = job.CreatedAt,
        ["State"] = job.State.WireName(),
        ["Caller"] = job.Request.Owner,
    };

    private static JobRecord FromEntity(TableEntity entity) => JobRecordJson.Deserialize(entity.GetString("Record"), entity.ETag.ToString());
}
