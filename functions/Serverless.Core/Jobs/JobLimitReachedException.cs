using Serverless.Core.Errors;

namespace Serverless.Core.Jobs;

/// <summary>A submission from a caller that already has Jobs:MaxJobsPerCaller jobs stored: 429 until finished ones expire.</summary>
public sealed class JobLimitReachedException(int limit, int retentionDays) : ServerlessException(
    $"this caller has {limit} jobs stored, the most Jobs:MaxJobsPerCaller allows: finished jobs are deleted {retentionDays} days after they complete (Jobs:RetentionDays)", 429);
