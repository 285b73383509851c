using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Jobs;

/// <summary>
/// Handles one jobs-queue message, whoever delivered it (the Functions host's queue trigger, the standalone listener,
/// the in-process queue): a job submission is planned, a shard is scored and counted. Returning means the message is
/// done; throwing means try again. A job that can never run is failed and its message completes; a shard that fails
/// on its last attempt (dequeue count at Jobs:MaxDequeueCount) is recorded as poisoned before throwing.
/// </summary>
public sealed class JobMessageHandler(JobPlanner planner, ShardScorer scorer, JobCompletion completion, IJobStore store,
    ServerlessMetrics metrics, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobMessageHandler> logger)
{
    /// <summary>Test seam: runs after a shard's output is committed and before the job counts it (to simulate a crash there).</summary>
    internal Func<ShardMessage, Task>? AfterShardCommitted { get; set; }

    public async Task HandleAsync(ReadOnlyMemory<byte> body, string messageId, long dequeueCount, CancellationToken cancellationToken = default)
    {
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(body);
            message = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            // Nothing to record it against: let it fail its attempts and land in the poison queue, where an operator sees it.
            throw new InvalidJobException($"message {messageId} is not JSON: {e.Message}");
        }
        if (ShardMessage.TryParse(message, out var shard))
        {
            await ScoreShardAsync(shard!, dequeueCount, cancellationToken);
            return;
        }
        JobRequest request;
        try
        {
            request = JobRequest.Parse(body.Span);
        }
        catch (InvalidJobException e)
        {
            await RecordRejectedAsync(message, e.Message, cancellationToken);
            return;
        }
        try
        {
            await planner.PlanAsync(request, messageId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && dequeueCount >= options.Value.MaxDequeueCount)
        {
            await completion.FailAsync(request.Id ?? messageId, $"planning failed {dequeueCount} times: {e.Message}", cancellationToken);
            throw;
        }
    }

    private async Task ScoreShardAsync(ShardMessage shard, long dequeueCount, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(shard.JobId, cancellationToken);
        if (job is null || shard.Shard >= job.ShardCount)
        {
            logger.LogWarning("Dropping shard {Shard} of job {JobId}: no such job or shard", shard.Shard, shard.JobId);
            return;
        }
        if (job.State.IsTerminal())
        {
            return;
        }
        if (job.Shards[shard.Shard] != JobRecord.ShardPending)
        {
            // Already counted (a duplicate delivery): only make sure a crash did not cut the job's finish short.
            await completion.FinishIfSettledAsync(job, cancellationToken);
            return;
        }
        try
        {
            ShardResult result;
            await using (var watch = JobCancellationWatch.Start(store, job.Id, TimeSpan.FromSeconds(options.Value.CancellationCheckSeconds), time, logger, cancellationToken))
            {
                try
                {
                    result = await ScoreMeasuredAsync(job, shard.Shard, retried: dequeueCount > 1, watch.Token);
                }
                catch (OperationCanceledException) when (watch.JobCancelled && !cancellationToken.IsCancellationRequested)
                {
                    // The message is done: its uncommitted part is discarded, and nothing of it is counted or billed.
                    logger.LogInformation("Shard {Shard} of job {JobId} stopped: the job was cancelled", shard.Shard, job.Id);
                    return;
                }
            }
            if (AfterShardCommitted is { } hook)
            {
                await hook(shard);
            }
            await completion.CompleteShardAsync(job, result, cancellationToken);
        }
        catch (Exception e) when (e is InvalidJobException or ModelNotFoundException)
        {
            await completion.FailAsync(job.Id, e.Message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && dequeueCount >= options.Value.MaxDequeueCount)
        {
            await completion.PoisonShardAsync(job.Id, shard.Shard, e.Message, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// Scores the shard and records its rows and time (serverless.batch.rows, serverless.batch.shard.duration), every
    /// attempt, before the job counts it: whoever sees the job finished also sees its shards in the metrics.
    /// </summary>
    private async Task<ShardResult> ScoreMeasuredAsync(JobRecord job, int shard, bool retried, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            var result = await scorer.ScoreAsync(job, shard, retried, cancellationToken);
            metrics.RecordShard(job.Request.Model, result.RowsScored, time.GetElapsedTime(started), succeeded: true);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.RecordShard(job.Request.Model, 0, time.GetElapsedTime(started), succeeded: false);
            throw;
        }
    }

    /// <summary>A submission that cannot run: when it names a usable id, record it as failed so GET /jobs/{id} says why.</summary>
    private async Task RecordRejectedAsync(JsonElement message, string reason, CancellationToken cancellationToken)
    {
        var id = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;
        logger.LogWarning("Rejected job message {JobId}: {Reason}", id ?? "(no id)", reason);
        if (!JobRequest.IsValidId(id))
        {
            return;
        }
        // Only what says which job failed and why, each cut: a rejected message may be as large as the queue allows.
        var job = new JobRecord
        {
            Id = id!,
            Request = new JobRequest { Id = id, Model = StoredText.Cut(Text(message, "model")), Input = StoredText.Cut(Text(message, "input")), Output = StoredText.Cut(Text(message, "output")) },
            State = JobState.Failed,
            Error = StoredText.Cut(reason),
            CreatedAt = time.GetUtcNow(),
            CompletedAt = time.GetUtcNow(),
        };
        await store.TryCreateAsync(job, cancellationToken);
    }

    private static string Text(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
