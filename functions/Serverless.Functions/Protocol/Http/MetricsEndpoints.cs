using Serverless.Functions.Metering;

namespace Serverless.Functions.Protocol.Http;

/// <summary><c>GET /metrics</c>: the OpenTelemetry metrics in Prometheus text format (OpenTelemetry's own Prometheus exporter).</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        // Open while keys are optional (local use); the admin key once Metering:RequireKey is on.
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new AdminOnlyMetadata(onlyWhenKeysRequired: true));
        return app;
    }
}
