using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Endpoints;
using Serverless.Functions.Protocol.Http;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Functions.Hosting;

/// <summary>Service registration for both hosts: options validated at start-up, then the inference core and its infrastructure.</summary>
public static class ServerlessServices
{
    public static TBuilder AddServerless<TBuilder>(this TBuilder builder, HostingMode mode) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddValidatedOptions<ModelsOptions, ModelsOptionsValidator>(ModelsOptions.Section);
        services.AddValidatedOptions<InferenceOptions, InferenceOptionsValidator>(InferenceOptions.Section);
        services.AddValidatedOptions<RequestBodyOptions, RequestBodyOptionsValidator>(RequestBodyOptions.Section);
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.Section);
        services.AddValidatedOptions<HostingOptions, HostingOptionsValidator>(HostingOptions.Section);
        services.AddOptions<HostOptions>().Configure<IOptions<HostingOptions>>((host, hosting) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(hosting.Value.DrainTimeoutSeconds));
        // Kestrel enforces the limit too, so no body slips past it on any endpoint; inference requests raise it for
        // themselves by Inference:RefusedBodyDrainBytes so a refused body can be drained (RefusedBodyDrain). Both hosts'
        // Kestrel (standalone, and the worker's behind the Functions host's proxy) read these options.
        // The minimum data rate cuts off a trickling body (BadHttpRequestException 408 from its read, answered by
        // EndpointPipeline), so it cannot hold its reservation of Inference:MaxBufferedRequestBytes for hours.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyOptions>>((kestrel, body) =>
        {
            kestrel.Limits.MaxRequestBodySize = body.Value.MaxRequestBytes;
            kestrel.Limits.MinRequestBodyDataRate = body.Value.MinRequestBodyBytesPerSecond == 0
                ? null
                : new MinDataRate(body.Value.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(body.Value.MinRequestBodyGraceSeconds));
        });

        // Read once, here: the storage account and the model repository decide which clients and stores are registered.
        var storage = FunctionsStorageConnection.From(builder.Configuration);
        services.AddAzureStorageClients(storage);
        services.AddModelRepository(ValidatedOptions.Read<ModelsOptions, ModelsOptionsValidator>(builder.Configuration, ModelsOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ModelVersionIndex>();
        services.AddSingleton<ExecutionProviderSelector>();
        services.AddSingleton<OptimizedModelCache>();
        services.AddSingleton<IModelSessionFactory, OnnxSessionFactory>();
        services.AddSingleton<ModelLoader>();
        services.AddSingleton<ModelCache>();
        services.AddSingleton<InferenceStatistics>();
        services.AddSingleton<InferenceService>();
        services.AddTextModels();
        services.AddSingleton<RequestBodyBudget>();
        services.AddSingleton<RefusedBodyDrain>();
        services.AddSingleton<RequestBodyReader>();
        services.AddSingleton<ServerReadiness>();
        services.AddHostedService<ModelPreloader>();
        services.AddSingleton<CallerAuthenticator>();
        services.AddSingleton<EndpointPipeline>();
        services.AddOpenAiProtocol();
        builder.AddMetering(mode, storage);
        builder.AddJobs(mode, storage);
        return builder;
    }
}
