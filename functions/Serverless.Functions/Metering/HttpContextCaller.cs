using Serverless.Core.Metering;

namespace Serverless.Functions.Metering;

/// <summary>The caller that authentication resolved for this request (unmetered when metering is off).</summary>
public static class HttpContextCaller
{
    private static readonly object Key = new();

    public static CallerIdentity GetCaller(this HttpContext context) =>
        context.Items.TryGetValue(Key, out var caller) && caller is CallerIdentity identity ? identity : CallerIdentity.Unmetered;

    internal static void SetCaller(this HttpContext context, CallerIdentity caller) => context.Items[Key] = caller;
}
