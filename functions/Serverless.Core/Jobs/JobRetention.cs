namespace Serverless.Core.Jobs;

/// <summary>Which job records Jobs:RetentionDays lets the store delete: finished ones, completed before the cutoff.</summary>
public static class JobRetention
{
    public static bool IsExpired(JobRecord job, DateTimeOffset cutoff) =>
        job.State.IsTerminal() && job.CompletedAt is { } completed && completed < cutoff;
}
