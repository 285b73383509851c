using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary><c>GET /metrics</c>: the OpenTelemetry metrics in Prometheus text format.</summary>
public sealed class MetricsFunctions(PrometheusScrape scrape)
{
    // Open while keys are optional (local use); the admin key once Metering:RequireKey is on.
    [Function("Metrics")]
    [ApiOperation("Operations", "Prometheus metrics", ResponseMediaType = "text/plain", Response = ApiSchemas.Text)]
    [EndpointAccess(EndpointAccess.AdminWhenKeysRequired)]
    public Task ScrapeAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "metrics")] HttpRequest request) => scrape.WriteAsync(request.HttpContext);
}
