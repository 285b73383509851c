namespace Serverless.Core.Metering;

/// <summary>How a metered call ended: only <see cref="Success"/> is billed.</summary>
public enum UsageOutcome
{
    /// <summary>Billed. Its status is 200, or 499 for a text stream the client left, billed for what was generated.</summary>
    Success,

    /// <summary>The call was admitted but failed (bad input, unknown model, load error): not billed.</summary>
    Failure,

    /// <summary>Refused before running: no or wrong key, rate limit, quota, shed load. Not billed, reported apart.</summary>
    Rejected,
}
