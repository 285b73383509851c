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

namespace Serverless.Functions.Hosting;

/// <summary>Service registration for both hosts: options validated at start-up, then the inference core and its infrastructure.</summary>
public static class ServerlessServices
{
    public static TBuilder AddServerless<TBuilder>(this TBuilder builder, HostingMode mode) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<ModelsOptions>().BindConfiguration(ModelsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RequestBodyOptions>().BindConfiguration(RequestBodyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<HostingOptions>>((host, hosting) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(hosting.Value.DrainTimeoutSeconds));
        // Kestrel enforces the limit too, so no body slips past it on any endpoint; inference requests raise it for
        // themselves by Inference:RefusedBodyDrainBytes so a refused body can be drained (RefusedBodyDrain). Both hosts'
        // Kestrel (standalone, and the worker's behind the Functions host's proxy) read these options.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<InferenceOptions>>((kestrel, inference) =>
            kestrel.Limits.MaxRequestBodySize = inference.Value.MaxRequestBytes);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ModelRepositoryFactory.Create);
        services.AddSingleton<ModelVersionIndex>();
        services.AddSingleton<ExecutionProviderSelector>();
        services.AddSingleton<OptimizedModelCache>();
        services.AddSingleton<IModelSessionFactory, OnnxSessionFactory>();
        services.AddSingleton<ModelLoader>();
        services.AddSingleton<ModelCache>();
        services.AddSingleton<InferenceStatistics>();
        services.AddSingleton<InferenceService>();
        services.AddSingleton<RequestBodyBudget>();
        services.AddSingleton<RefusedBodyDrain>();
        services.AddSingleton<RequestBodyReader>();
        services.AddSingleton<ServerReadiness>();
        services.AddHostedService<ModelPreloader>();
        services.AddSingleton<CallerAuthenticator>();
        services.AddSingleton<EndpointPipeline>();
        builder.AddMetering(mode);
        builder.AddJobs(mode);
        return builder;
    }
}
