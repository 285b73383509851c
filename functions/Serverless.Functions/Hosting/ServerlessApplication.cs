using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Functions.Protocol.Codecs;
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
        StartInBackground();
        // The slim builder, as the bare app: no hosting-startup assemblies, IIS integration, Debug and EventSource
        // loggers or regex route constraints (no route has one).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = WithoutConfigurationReload(args),
            ContentRootPath = ContentRoot(args),
        });
        // HTTPS endpoints from configuration (Kestrel:Endpoints with a certificate) work as under CreateBuilder.
        builder.WebHost.UseKestrelHttpsConfiguration();
        // --urls / ASPNETCORE_URLS when given, else the local default on the port `func start` uses.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultStandaloneUrl);
        }
        builder.AddServerless(HostingMode.Standalone);
        overrideServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapStandaloneEndpoints();
        LogHostingMode(app.Services, HostingMode.Standalone);
        return app;
    }

    /// <summary>The isolated worker: the Functions host proxies HTTP to the worker's own Kestrel address and invokes the queue function.</summary>
    public static IHost BuildWorker(string[] args)
    {
        StartInBackground();
        var builder = FunctionsApplication.CreateBuilder(WithoutConfigurationReload(args));
        builder.ConfigureFunctionsWebApplication();
        // After the ASP.NET Core integration's own middleware, which pairs the proxied request with the invocation.
        builder.UseMiddleware<EndpointPipelineMiddleware>();
        builder.AddServerless(HostingMode.FunctionsWorker);
        var host = builder.Build();
        LogHostingMode(host.Services, HostingMode.FunctionsWorker);
        JobsQueueSetting.ReportIfMissing(builder.Configuration, host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerlessApplication)));
        return host;
    }

    /// <summary>
    /// The app's own folder, where its appsettings.json is, unless the operator names another: ASP.NET Core's default is
    /// the working directory, so a published app started from elsewhere ran without its settings and logged every
    /// request at Information. The Functions host and a container start it in its folder anyway.
    /// </summary>
    private static string? ContentRoot(string[] args) =>
        args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"))
            ? null
            : AppContext.BaseDirectory;

    /// <summary>
    /// The host's default watches appsettings*.json for changes; setting up those file watchers took ~130 ms of host
    /// build on the 2-core VM (published app, host build 405-473 -> 276-331 ms over 4 starts each). The app reads
    /// its options once at start-up and validates them there, so a changed file would not apply anyway: an instance
    /// is restarted (a deployment, a changed app setting) to change configuration. First, so an explicit
    /// <c>--hostBuilder:reloadConfigOnChange=true</c> still wins.
    /// </summary>
    private static string[] WithoutConfigurationReload(string[] args) => ["--hostBuilder:reloadConfigOnChange=false", .. args];

    /// <summary>
    /// Start-up work that needs neither configuration nor services, begun on the thread pool while this thread builds
    /// the host (each Lazy or single-flight, so whoever needs it first waits for it instead of doing it twice): the
    /// route table read from the functions' attributes (reflection, ~45 ms of a quiet 2-core VM's start) and ONNX
    /// Runtime's native library and environment, which the first inference would otherwise load (~30 ms).
    /// </summary>
    private static void StartInBackground()
    {
        _ = Task.Run(() => EndpointCatalog.Functions);
        _ = OnnxRuntimePreload.StartInBackground();
        // System.Text.Json builds its reflection metadata for a type on first use: ~30 ms for config.json's types,
        // which the first request of every model otherwise paid in its "fetch". Warmed here, every key present.
        _ = Task.Run(() => ModelConfig.Parse("warm-up", """{"dynamic_batching": {}, "gpu": {}, "pricing": {}}"""u8));
        // A folder repository's describe too (SHA-256 through OpenSSL, the file enumeration): a folder model's first fetch
        // took 12-14 ms with it on its path, 3 without, on the loaded 2-core VM (issue 26).
        _ = Task.Run(FolderModelRepository.WarmUp);
        // The usage record's metadata likewise (and its frame's code), which the first metered call built: ~250 methods
        // JIT-compiled on that call's path (issue 26). Built whether or not metering is on: it costs background CPU only.
        _ = Task.Run(UsageJournal.WarmUp);
        // And the v2 codec's first decode and encode, which every model's first inference call otherwise JIT-compiled on
        // its path.
        _ = Task.Run(WarmInferenceCodec);
    }

    /// <summary>One v2 request decoded and one response encoded (FP32 and INT64, a classifier's usual outputs), in memory.</summary>
    private static void WarmInferenceCodec()
    {
        InferenceRequestJsonReader.Read(
            """{"id": "warm-up", "inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [0.5, 1.5]}]}"""u8.ToArray());
        using var response = new InferenceResponse("warm-up", "1", "warm-up",
        [
            new InferenceTensor("probabilities", TensorDataType.FP32, [1, 2], new byte[2 * sizeof(float)]),
            new InferenceTensor("label", TensorDataType.Int64, [1], new byte[sizeof(long)]),
        ]);
        using var writer = new Utf8JsonWriter(new ArrayBufferWriter<byte>());
        InferenceResponseJsonWriter.Write(writer, response);
    }

    private static void LogHostingMode(IServiceProvider services, HostingMode mode) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerlessApplication))
            .LogInformation("Hosting mode: {HostingMode}", mode);
}
