using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parquet;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Jobs.Formats;
using Serverless.Core.Repository;

namespace Serverless.Core.Jobs;

/// <summary>
/// Turns a job into shards. Planning reads the input's length (and a CSV header line, or a Parquet footer), never its
/// content, and cuts it into Jobs:ShardBytes ranges (whole row groups for Parquet); each shard becomes one queue message. Planning again (a redelivered job message)
/// finds the same shards and re-sends only those not yet done, which is harmless since shards are idempotent.
/// </summary>
public sealed class JobPlanner(IJobStore store, IJobQueue queue, IJobFiles files, ModelCache cache, ModelVersionIndex versions,
    JobCompletion completion, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobPlanner> logger)
{
    private const int MaxHeaderBytes = 1024 * 1024;

    /// <summary>
    /// <c>POST /jobs</c>: checks what can be checked at once (fields, locations, the model exists), so the caller gets a
    /// 400 or 404 instead of a failed job, records the job as queued and puts it on the queue. Submitting an id again
    /// returns the existing job to the caller that owns it; an id another caller owns is a 409, never their record.
    /// A caller with Jobs:MaxJobsPerCaller jobs stored is refused (429) before anything is stored; so is every
    /// submission that fails a check: only a job that was accepted (202) is ever recorded.
    /// </summary>
    public async Task<JobRecord> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        JobLocations.Resolve(files, request);
        await versions.ResolveAsync(request.Model, request.Version, cancellationToken);
        if (request.Id is not null && await store.GetAsync(request.Id, cancellationToken) is { } submitted)
        {
            return submitted.Request.Owner == request.Owner ? submitted : throw new JobIdTakenException(request.Id);
        }
        var limit = options.Value.MaxJobsPerCaller;
        if (await store.CountAsync(request.Owner, limit, cancellationToken) >= limit)
        {
            throw new JobLimitReachedException(limit, options.Value.RetentionDays);
        }
        var id = request.Id ?? Guid.NewGuid().ToString("N");
        var job = new JobRecord { Id = id, Request = request with { Id = id }, CreatedAt = time.GetUtcNow() };
        if (!await store.TryCreateAsync(job, cancellationToken))
        {
            var existing = await store.GetAsync(id, cancellationToken) ?? throw new JobNotFoundException(id);
            return existing.Request.Owner == request.Owner ? existing : throw new JobIdTakenException(id);
        }
        await queue.SendAsync(job.Request.ToJson(), cancellationToken);
        logger.LogInformation("Job {JobId} queued: {Model} on {Input}", id, request.Model, request.Input);
        return job;
    }

    /// <summary>A job message from the queue: record the job if new, plan its shards once, send every pending shard.</summary>
    public async Task PlanAsync(JobRequest request, string fallbackId, CancellationToken cancellationToken = default)
    {
        var id = request.Id ?? fallbackId;
        var created = new JobRecord { Id = id, Request = request with { Id = id }, CreatedAt = time.GetUtcNow() };
        var job = await store.TryCreateAsync(created, cancellationToken) ? created : await store.GetAsync(id, cancellationToken) ?? created;
        if (job.Request.Owner != request.Owner)
        {
            // The id is another caller's job: this message may neither change nor run it.
            logger.LogWarning("Dropping job message {JobId} of caller {Caller}: the id belongs to another caller's job", id, request.Owner);
            return;
        }
        if (job.State.IsTerminal())
        {
            return;
        }
        if (job.ShardCount == 0)
        {
            JobRecord planned;
            try
            {
                planned = await PlanShardsAsync(job, cancellationToken);
            }
            catch (Exception e) when (e is InvalidJobException or ModelNotFoundException)
            {
                await completion.FailAsync(id, e.Message, cancellationToken);
                return;
            }
            job = (await store.UpdateAsync(id, current => current.ShardCount > 0 || current.State.IsTerminal() ? null : current with
            {
                State = JobState.Running,
                StartedAt = time.GetUtcNow(),
                InputBytes = planned.InputBytes,
                InputETag = planned.InputETag,
                CsvHeader = planned.CsvHeader,
                ShardBytes = planned.ShardBytes,
                RowGroupCount = planned.RowGroupCount,
                RowGroupsPerShard = planned.RowGroupsPerShard,
                Shards = planned.Shards,
                ModelVersion = planned.ModelVersion,
            }, cancellationToken)).Record;
            logger.LogInformation("Job {JobId} planned: {Bytes} bytes in {Shards} shards", id, job.InputBytes, job.ShardCount);
        }
        for (var shard = 0; shard < job.ShardCount; shard++)
        {
            if (job.Shards[shard] == JobRecord.ShardPending)
            {
                await queue.SendAsync(new ShardMessage(id, shard).ToJson(), cancellationToken);
            }
        }
        // Every shard settled but the job not finished (killed in between, e.g. after its last shard was poisoned):
        // no shard message is left to finish it, so this one does.
        await completion.FinishIfSettledAsync(job, cancellationToken);
    }

    private async Task<JobRecord> PlanShardsAsync(JobRecord job, CancellationToken cancellationToken)
    {
        var request = job.Request;
        var (input, _) = JobLocations.Resolve(files, request);
        var info = await files.GetInfoAsync(input, cancellationToken);
        using var lease = await cache.AcquireAsync(request.Model, request.Version, cancellationToken);
        var shardBytes = options.Value.ShardBytes;
        var planned = job with { InputBytes = info.Length, InputETag = info.ETag, ShardBytes = shardBytes, ModelVersion = lease.Model.Key.Version };
        long count;
        string[] columns;
        if (request.Format == JobFormat.Parquet)
        {
            (planned, columns) = await PlanRowGroupsAsync(planned, input, info, cancellationToken);
            count = planned.RowGroupCount == 0 ? 1 : (planned.RowGroupCount + planned.RowGroupsPerShard - 1) / planned.RowGroupsPerShard;
        }
        else
        {
            var header = request.Format == JobFormat.Csv ? await ReadHeaderAsync(input, info, cancellationToken) : null;
            planned = planned with { CsvHeader = header };
            columns = header is null ? [] : CsvFields.SplitHeader(header);
            count = Math.Max(1, (info.Length + shardBytes - 1) / shardBytes);
        }
        // Checked here so a job whose rows can never fit the model fails at once with the reason, not shard by shard.
        var layout = JobRowLayouts.For(lease, request, columns, options.Value.RowBatchSize);
        if (layout.IsTabular)
        {
            layout.OutputColumns();
        }
        if (count > options.Value.MaxShards)
        {
            throw new InvalidJobException($"input of {info.Length} bytes makes {count} shards of {shardBytes} bytes, more than Jobs:MaxShards {options.Value.MaxShards}: raise Jobs:ShardBytes");
        }
        return planned with { Shards = new string(JobRecord.ShardPending, (int)count) };
    }

    /// <summary>
    /// Parquet shards are whole row groups, as many per shard as fit Jobs:ShardBytes on average. Only the footer is
    /// read (Parquet keeps its metadata at the end of the file). A file that is not Parquet, or whose footer does not
    /// parse, fails the job at once with what is wrong in words: the same bytes would fail every retry the same way.
    /// </summary>
    private async Task<(JobRecord Planned, string[] Columns)> PlanRowGroupsAsync(JobRecord job, JobLocation input, JobInputInfo info, CancellationToken cancellationToken)
    {
        await using var stream = await files.OpenReadAsync(input, 0, info.ETag, cancellationToken);
        if (await ParquetMarkers.ProblemAsync(stream, info.Length, cancellationToken) is { } problem)
        {
            throw new InvalidJobException($"input '{input}' is not a Parquet file: {problem}");
        }
        try
        {
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
            var groups = reader.RowGroupCount;
            var compressed = Enumerable.Range(0, groups).Sum(g => reader.OpenRowGroupReader(g).RowGroup.TotalCompressedSize ?? 0);
            var average = groups == 0 ? 1 : Math.Max(1, compressed / groups);
            var perShard = (int)Math.Clamp(options.Value.ShardBytes / average, 1, Math.Max(1, groups));
            return (job with { RowGroupCount = groups, RowGroupsPerShard = perShard }, ParquetRowSource.ColumnsOf(reader));
        }
        catch (Exception e) when (e is not (OperationCanceledException or ServerlessException) && !files.IsStorageFailure(e))
        {
            // The library's own message names its internals (a Thrift field, an index out of range): logged, not told.
            logger.LogWarning(e, "The Parquet footer of job {JobId}'s input does not parse", job.Id);
            throw new InvalidJobException($"input '{input}' is not a readable Parquet file: its footer (the schema and row-group index at the end of the file) is damaged or cut short");
        }
    }

    private async Task<string> ReadHeaderAsync(JobLocation input, JobInputInfo info, CancellationToken cancellationToken)
    {
        await using var stream = await files.OpenReadAsync(input, 0, info.ETag, cancellationToken);
        var lines = new ShardLineReader(stream, 0, Math.Min(info.Length, MaxHeaderBytes));
        if (info.Length == 0 || !await lines.MoveNextAsync(cancellationToken))
        {
            throw new InvalidJobException($"CSV input {input} is empty: it needs a header row");
        }
        if (lines.LineTooLong)
        {
            throw new InvalidJobException($"CSV input {input}: the header line is longer than {lines.MaxLineBytes} bytes");
        }
        return System.Text.Encoding.UTF8.GetString(lines.Line);
    }
}
