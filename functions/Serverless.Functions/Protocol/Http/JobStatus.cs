using Serverless.Core.Jobs;

namespace Serverless.Functions.Protocol.Http;

/// <summary>What <c>GET /jobs/{id}</c> answers: state, progress in rows and shards, where the output goes, timings, the error.</summary>
public sealed record JobStatus(
    string Id,
    string Caller,
    string State,
    string Model,
    long? ModelVersion,
    string Format,
    string Input,
    string Output,
    string StatusUrl,
    JobRowProgress Rows,
    JobShardProgress Shards,
    JobOutputs? Outputs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    double? DurationSeconds,
    string? Error)
{
    public static JobStatus From(JobRecord job)
    {
        var output = job.Request.Output.TrimEnd('/');
        // A cancelled job has no manifest and no known total, even when its last shard was counted after it was cancelled.
        var finished = job.State.IsTerminal() && job.State != JobState.Cancelled && job.ShardCount > 0 && job.AllShardsSettled;
        return new JobStatus(
            job.Id,
            job.Request.Owner,
            job.State.WireName(),
            job.Request.Model,
            job.ModelVersion ?? job.Request.Version,
            job.Request.Format.ToString().ToLowerInvariant(),
            job.Request.Input,
            job.Request.Output,
            $"/jobs/{job.Id}",
            new JobRowProgress(job.RowsScored + job.RowsFailed, job.RowsScored, job.RowsFailed, finished ? job.RowsScored + job.RowsFailed : null),
            new JobShardProgress(job.ShardsDone, job.ShardCount, job.ShardsPoisoned, job.PoisonedShards.Count > 0 ? job.PoisonedShards : null),
            finished ? new JobOutputs(output, $"{output}/{JobCompletion.ManifestName}", job.RowsFailed > 0 ? $"{output}/{JobCompletion.ErrorsName}" : null) : null,
            job.CreatedAt,
            job.StartedAt,
            job.CompletedAt,
            job is { StartedAt: { } started, CompletedAt: { } completed } ? (completed - started).TotalSeconds : null,
            job.Error);
    }
}
