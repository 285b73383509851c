namespace Serverless.Core.Jobs;

public static class JobStates
{
    public static bool IsTerminal(this JobState state) => state is JobState.Succeeded or JobState.PartiallySucceeded or JobState.Failed or JobState.Cancelled;

    public static string WireName(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.PartiallySucceeded => "partially_succeeded",
        JobState.Cancelled => "cancelled",
        _ => "failed",
    };
}
