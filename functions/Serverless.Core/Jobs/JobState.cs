namespace Serverless.Core.Jobs;

/// <summary>Where a job is; the wire names are snake_case (<c>partially_succeeded</c>).</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    PartiallySucceeded,
    Failed,
}
