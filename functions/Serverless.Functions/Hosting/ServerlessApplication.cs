using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Serverless.Core.Metering;
using Serverless.Core.Telemetry;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Builds the app for either host. Both register the same services (<see cref="ServerlessServices.AddServerless"/>)
/// and serve the same <c>[Function]</c> methods through the same <see cref="EndpointPipeline"/>: the worker through the
/// Functions host's routing, the standalone server through <see cref="StandaloneEndpoints"/>.
/// </summary>
public static class ServerlessApplication
{
    public const string DefaultStandaloneUrl = "http://127.0.0.1:7071";

    /// <summary>The plain ASP.NET Core server; tests and benchmarks pass their own arguments (repository, port, data folder).</summary>
    /// <param name="overrideServices">Runs after the app's registrations: tests replace a seam there (e.g. IModelSessionFactory to inject a fault).</param>
    public static WebApplication BuildStandalone(string[] args, Action<IServiceCollection>? overrideServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // --urls / ASPNETCORE_URLS when given, else the local default on the port `func start` uses.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultStandaloneUrl);
        }
        builder.AddServerless(HostingMode.Standalone);
        overrideServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapStandaloneEndpoints();
        Prepare(app.Services, HostingMode.Standalone);
        return app;
    }

    /// <summary>The isolated worker: the Functions host proxies HTTP to the worker's own Kestrel address and invokes the queue function.</summary>
    public static IHost BuildWorker(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        // After the ASP.NET Core integration's own middleware, which pairs the proxied request with the invocation.
        builder.UseMiddleware<EndpointPipelineMiddleware>();
        builder.AddServerless(HostingMode.FunctionsWorker);
        var host = builder.Build();
        Prepare(host.Services, HostingMode.FunctionsWorker);
        return host;
    }

    private static void Prepare(IServiceProvider services, HostingMode mode)
    {
        // Created now, before any hosted service preloads a model, so they see every ModelCache.Loaded event.
        services.GetRequiredService<ServerlessMetrics>();
        services.GetRequiredService<PriceList>();
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerlessApplication))
            .LogInformation("Hosting mode: {HostingMode}", mode);
    }
}
