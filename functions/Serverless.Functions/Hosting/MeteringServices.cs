using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serverless.Core.Cache;
using Serverless.Core.Metering;
using Serverless.Core.Telemetry;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Hosting;

/// <summary>Metering (callers, keys, ledger, limits) and OpenTelemetry: options validated at start-up, stores by environment.</summary>
public static class MeteringServices
{
    public const string ApplicationInsightsSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static IHostApplicationBuilder AddMetering(this IHostApplicationBuilder builder, HostingMode mode, FunctionsStorageConnection? storage)
    {
        var services = builder.Services;
        services.AddValidatedOptions<MeteringOptions, MeteringOptionsValidator>(MeteringOptions.Section)
            // Keys are optional for local use and required once the Functions host runs the app.
            .PostConfigure(options => options.RequireKey ??= mode == HostingMode.FunctionsWorker);

        // First: a store's hosted service (the usage journal's shipper) starts before the ledger and stops after it.
        services.AddMeteringStores(ValidatedOptions.Read<MeteringOptions, MeteringOptionsValidator>(builder.Configuration, MeteringOptions.Section), storage);
        services.AddSingleton<ServerlessMetrics>();
        services.AddSingleton<PriceList>();
        // The model registry tells them of every load and unload.
        services.AddSingleton<IModelLifecycleObserver>(sp => sp.GetRequiredService<ServerlessMetrics>());
        services.AddSingleton<IModelLifecycleObserver>(sp => sp.GetRequiredService<PriceList>());
        services.AddSingleton<CallerDirectory>();
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton<MonthlyQuota>();
        services.AddSingleton<ModelConcurrencyLimiter>();
        services.AddSingleton<UsageLedger>();
        services.AddSingleton<IUsageLedger>(sp => sp.GetRequiredService<UsageLedger>());
        services.AddHostedService(sp => sp.GetRequiredService<UsageLedger>());
        services.AddSingleton<UsageBilling>();
        services.AddSingleton<MeteredInference>();
        services.AddSingleton<MeteredText>();

        services.AddSingleton<PrometheusScrape>();
        AddTelemetry(builder);
        return builder;
    }

    private static void AddTelemetry(IHostApplicationBuilder builder)
    {
        var applicationInsights = builder.Configuration[ApplicationInsightsSetting];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("serverless"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ServerlessMetrics.MeterName).AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (!string.IsNullOrEmpty(applicationInsights))
                {
                    metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = applicationInsights);
                }
            });
        // Traces only when there is somewhere to send them: an unexported trace still costs its spans on every call.
        if (!string.IsNullOrEmpty(applicationInsights))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ServerlessActivities.Name)
                .AddAspNetCoreInstrumentation()
                .AddAzureMonitorTraceExporter(o => o.ConnectionString = applicationInsights));
        }
    }
}
