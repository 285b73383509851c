using Serverless.Core.Errors;

namespace Serverless.Core.Jobs;

/// <summary>Cancelling a job that has already settled: 409, naming the state it settled in.</summary>
public sealed class JobFinishedException(string id, JobState state)
    : ServerlessException($"job '{id}' is already {state.WireName()}: only a queued or running job can be cancelled", 409);
