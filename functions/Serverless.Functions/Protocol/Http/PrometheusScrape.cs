namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// OpenTelemetry's own Prometheus exporter, which ships only as ASP.NET Core middleware: built once into a one-step
/// pipeline of its own, so a function can run it on its request in either host.
/// </summary>
public sealed class PrometheusScrape(IServiceProvider services)
{
    private readonly Lazy<RequestDelegate> _exporter = new(() =>
        new ApplicationBuilder(services).UseOpenTelemetryPrometheusScrapingEndpoint(_ => true).Build());

    public Task WriteAsync(HttpContext context) => _exporter.Value(context);
}
