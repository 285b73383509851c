namespace Serverless.Core.Jobs;

/// <summary>Where a job is; the wire names are snake_case (<c>partially_succeeded</c>).</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    PartiallySucceeded,
    Failed,

    /// <summary>Stopped by its owner (<c>DELETE /jobs/{id}</c>): shards not yet scored are skipped, those scored stay counted and billed.</summary>
    Cancelled,
}
