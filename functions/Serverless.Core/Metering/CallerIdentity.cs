namespace Serverless.Core.Metering;

/// <summary>Who is making the current call, as authentication resolved it: the caller, the key used, the plan.</summary>
public sealed record CallerIdentity(string CallerId, string? KeyId, CallerPlan Plan, bool IsAdmin = false)
{
    public static CallerIdentity AdminIdentity { get; } = new(Metering.CallerId.Admin, null, CallerPlan.Unlimited, IsAdmin: true);

    /// <summary>The identity of calls when metering is off: no limits, nothing recorded.</summary>
    public static CallerIdentity Unmetered { get; } = new(Metering.CallerId.Anonymous, null, CallerPlan.Unlimited);
}
