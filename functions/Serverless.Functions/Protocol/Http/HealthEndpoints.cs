using Serverless.Functions.Hosting;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Liveness, readiness and the Functions host's start-up probe.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // The Functions host probes the custom handler until it answers; answer at once, before any preload.
        app.MapGet("/", () => TypedResults.Ok(new { status = "ok" }));
        app.MapGet("/v2/health/live", () => TypedResults.Ok(new { live = true }));
        app.MapGet("/v2/health/ready", Ready);
        return app;
    }

    private static IResult Ready(ServerReadiness readiness) => readiness.IsReady
        ? TypedResults.Ok(new { ready = true })
        : TypedResults.Json(new { ready = false, error = readiness.Reason }, ProtocolJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
}
