using System.Diagnostics;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Metering;

/// <summary>What every metered call (tensor or text) tells telemetry when it ends or is refused, written once for both.</summary>
internal static class MeteredCallTelemetry
{
    /// <summary>The span of one metered call (<paramref name="name"/>: inference or text), tagged with its model and caller.</summary>
    public static Activity? Start(string name, string model, CallerIdentity caller)
    {
        var activity = ServerlessActivities.Source.StartActivity(name);
        activity?.SetTag("serverless.model", model);
        activity?.SetTag("serverless.caller", caller.CallerId);
        return activity;
    }

    /// <summary>The call is answered with <paramref name="status"/>: counted with its duration, and its span marked.</summary>
    public static void Finish(ServerlessMetrics metrics, string model, int status, long started, Activity? activity)
    {
        metrics.RecordRequest(model, status, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>The label a refusal by a limit is counted under.</summary>
    public static string ReasonOf(ServerlessException refusal) => refusal switch
    {
        RateLimitExceededException => "rate_limited",
        QuotaExceededException => "quota_exceeded",
        ModelSaturatedException => "saturated",
        _ => "rejected",
    };
}
