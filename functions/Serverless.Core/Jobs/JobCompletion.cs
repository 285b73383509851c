using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Jobs;

/// <summary>
/// Counts finished shards into the job record and finishes the job when the last one settles. Counting is a
/// compare-and-swap on the record that flips the shard's character once, so a redelivered shard is never counted
/// twice; finishing is idempotent (any redelivered message of a settled job finishes it again if a crash cut it short).
/// </summary>
public sealed class JobCompletion(IJobStore store, IJobFiles files, IShardUsageRecorder usage, IOptions<JobsOptions> options,
    TimeProvider time, ILogger<JobCompletion> logger)
{
    public const string ManifestName = "_manifest.json";
    public const string ErrorsName = "_errors.jsonl";

    private static readonly JsonSerializerOptions ManifestJson = new(JobRequest.JsonOptions) { WriteIndented = true };

    public async Task CompleteShardAsync(JobRecord job, ShardResult result, CancellationToken cancellationToken = default)
    {
        await store.SaveShardAsync(result, cancellationToken);
        // A shard that was in flight when its job was cancelled still counts: its rows were scored, so they are billed.
        var update = await store.UpdateAsync(job.Id, current =>
            (current.State.IsTerminal() && current.State != JobState.Cancelled) || current.Shards[result.Shard] != JobRecord.ShardPending
                ? null
                : current with
                {
                    Shards = Mark(current.Shards, result.Shard, JobRecord.ShardDone),
                    RowsScored = current.RowsScored + result.RowsScored,
                    RowsFailed = current.RowsFailed + result.RowsFailed,
                }, cancellationToken);
        if (update.Changed)
        {
            await usage.RecordAsync(new ShardUsage(job.Id, result.Shard, job.Request.Caller, job.Request.Model, job.ModelVersion ?? 0,
                result.RowsScored, TimeSpan.FromMilliseconds(result.ComputeMilliseconds), result.InputTokens), cancellationToken);
        }
        await FinishIfSettledAsync(update.Record, cancellationToken);
    }

    /// <summary>
    /// A shard that failed every attempt: the job records it with the reason and fails once the others settle. This
    /// is the shard message's last attempt, so if even finishing the job fails (its output cannot be written), the job
    /// fails here with both reasons: no message is left that could finish it later.
    /// </summary>
    public async Task PoisonShardAsync(string jobId, int shard, string reason, CancellationToken cancellationToken = default)
    {
        var queue = options.Value.Queue;
        var told = Told(reason);
        var update = await store.UpdateAsync(jobId, current =>
            current.State.IsTerminal() || current.Shards[shard] != JobRecord.ShardPending
                ? null
                : current with
                {
                    Shards = Mark(current.Shards, shard, JobRecord.ShardPoisoned),
                    PoisonedShards = current.PoisonedShards.Count < PoisonedShard.MaxKept ? [.. current.PoisonedShards, new PoisonedShard(shard, told)] : current.PoisonedShards,
                    Error = current.Error ?? $"shard {shard} failed {options.Value.MaxDequeueCount} times and was moved to {queue}-poison: {told}",
                }, cancellationToken);
        logger.LogError("Shard {Shard} of job {JobId} is poisoned: {Reason}", shard, jobId, reason);
        try
        {
            await FinishIfSettledAsync(update.Record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Job {JobId} could not be finished", jobId);
            await FailAsync(jobId, $"{update.Record.Error ?? $"shard {shard} failed: {told}"}; the job's output could not be written either: {e.Message}", cancellationToken);
        }
    }

    /// <summary>
    /// <c>DELETE /jobs/{id}</c>: a queued or running job becomes <see cref="JobState.Cancelled"/> at once, with the counts
    /// it has. Its pending shards are skipped when their messages arrive, a shard in flight stops at its next batch
    /// (<see cref="JobCancellationWatch"/>) or, if it finishes first, is still counted. No manifest is written.
    /// </summary>
    /// <exception cref="JobFinishedException">The job had already settled.</exception>
    public async Task<JobRecord> CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var update = await store.UpdateAsync(jobId, current => current.State.IsTerminal()
            ? null
            : current with { State = JobState.Cancelled, CompletedAt = time.GetUtcNow() }, cancellationToken);
        if (!update.Changed)
        {
            throw new JobFinishedException(jobId, update.Record.State);
        }
        logger.LogInformation("Job {JobId} cancelled: {Scored} rows scored, {Failed} failed so far", jobId, update.Record.RowsScored, update.Record.RowsFailed);
        return update.Record;
    }

    /// <summary>Fails a job that cannot run (bad location, unusable model); later messages of the job are dropped.</summary>
    public async Task FailAsync(string jobId, string reason, CancellationToken cancellationToken = default)
    {
        logger.LogWarning("Job {JobId} failed: {Reason}", jobId, reason);
        var told = Told(reason);
        try
        {
            await store.UpdateAsync(jobId, current => current.State.IsTerminal()
                ? null
                : current with { State = JobState.Failed, Error = told, CompletedAt = time.GetUtcNow() }, cancellationToken);
        }
        catch (JobNotFoundException)
        {
            // Failed before it was ever recorded: the log line above is all there is.
        }
    }

    public async Task FinishIfSettledAsync(JobRecord job, CancellationToken cancellationToken = default)
    {
        if (!job.AllShardsSettled || job.State.IsTerminal())
        {
            return;
        }
        var output = files.Resolve(job.Request.Output, "output", job.Request.Owner);
        var shards = (await store.ListShardsAsync(job.Id, cancellationToken)).ToDictionary(s => s.Shard);
        var parts = new List<ManifestPart>();
        long? firstRow = 0;
        var poisoned = new List<int>();
        for (var i = 0; i < job.ShardCount; i++)
        {
            if (job.Shards[i] == JobRecord.ShardDone && shards.TryGetValue(i, out var shard))
            {
                parts.Add(new ManifestPart(shard.Part, i, firstRow, shard.Rows, shard.RowsScored, shard.RowsFailed));
                firstRow += shard.Rows;
            }
            else
            {
                poisoned.Add(i);
                firstRow = null;
            }
        }
        var errorsWritten = job.RowsFailed > 0 && await MergeErrorsAsync(output, parts, shards, cancellationToken);

        var total = job.RowsScored + job.RowsFailed;
        var maxErrorRate = job.Request.MaxErrorRate ?? options.Value.MaxErrorRate;
        var (state, error) = poisoned.Count > 0
            ? (JobState.Failed, job.Error ?? $"shards {string.Join(", ", poisoned)} were poisoned")
            : total > 0 && (double)job.RowsFailed / total > maxErrorRate
                ? (JobState.Failed, $"{job.RowsFailed} of {total} rows failed ({(double)job.RowsFailed / total:P1}), above max_error_rate {maxErrorRate:P1}: see {ErrorsName}")
                : job.RowsFailed > 0 ? (JobState.PartiallySucceeded, (string?)null) : (JobState.Succeeded, (string?)null);
        var completedAt = time.GetUtcNow();
        var manifest = new JobManifest(job.Id, job.Request.Model, job.ModelVersion, job.Request.Format.ToString().ToLowerInvariant(),
            job.Request.Input, job.Request.Output, state.WireName(), error, total, job.RowsScored, job.RowsFailed, parts,
            errorsWritten ? ErrorsName : null, poisoned, job.CreatedAt, completedAt);
        // The manifest before the state: a crash in between leaves the job running, and the next message finishes it again.
        await using (var writer = files.CreateWriter(output, ManifestName))
        {
            await writer.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson), cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }
        var update = await store.UpdateAsync(job.Id, current => current.State.IsTerminal()
            ? null
            : current with { State = state, Error = error, CompletedAt = completedAt }, cancellationToken);
        if (update.Changed)
        {
            logger.LogInformation("Job {JobId} {State}: {Scored} rows scored, {Failed} failed, {Shards} shards",
                job.Id, state.WireName(), job.RowsScored, job.RowsFailed, job.ShardCount);
        }
        try
        {
            // What killed attempts left behind: no attempt of a settled job will commit them now.
            await files.DeleteTemporaryFilesAsync(output, null, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Temporary files of job {JobId} were not removed: {Reason}", job.Id, e.Message);
        }
    }

    /// <summary>An error as the job's caller may read it: no server paths, and short enough to keep in the record.</summary>
    private string Told(string reason)
    {
        return StoredText.Cut(files.Redact(reason));
    }

    /// <summary>Joins the shards' error files into <c>_errors.jsonl</c> with input row numbers.</summary>
    private async Task<bool> MergeErrorsAsync(JobLocation output, List<ManifestPart> parts, Dictionary<int, ShardResult> shards, CancellationToken cancellationToken)
    {
        await using var writer = files.CreateWriter(output, ErrorsName);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var part in parts)
        {
            if (shards[part.Shard].ErrorPart is not { } errorPart)
            {
                continue;
            }
            await using var stream = await files.OpenOutputAsync(output, errorPart, cancellationToken);
            if (stream is null)
            {
                continue;
            }
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }
                using var entry = JsonDocument.Parse(line);
                var row = entry.RootElement.GetProperty("row").GetInt64();
                json.Reset(buffer);
                json.WriteStartObject();
                if (part.FirstRow is { } first)
                {
                    json.WriteNumber("row"u8, first + row);
                }
                json.WriteString("part"u8, part.Name);
                json.WriteNumber("part_row"u8, row);
                json.WriteString("reason"u8, entry.RootElement.GetProperty("reason").GetString());
                json.WriteEndObject();
                json.Flush();
                buffer.Write("\n"u8);
            }
            await writer.WriteAsync(buffer.WrittenMemory, cancellationToken);
            buffer.ResetWrittenCount();
        }
        await writer.CommitAsync(cancellationToken);
        return true;
    }

    private static string Mark(string shards, int index, char state) => string.Create(shards.Length, (shards, index, state), static (span, s) =>
    {
        s.shards.AsSpan().CopyTo(span);
        span[s.index] = s.state;
    });
}
