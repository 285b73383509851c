using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Hosting;

/// <summary>Service registration: options validated at start-up, then the inference core and its infrastructure.</summary>
public static class ServerlessServices
{
    public static WebApplicationBuilder AddServerless(this WebApplicationBuilder builder)
    {
        if (ListenAddress.Choose(builder.Configuration) is { } url)
        {
            builder.WebHost.UseUrls(url);
        }

        var services = builder.Services;
        services.AddOptions<ModelsOptions>().BindConfiguration(ModelsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<Microsoft.Extensions.Options.IOptions<HostingOptions>>((host, hosting) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(hosting.Value.DrainTimeoutSeconds));
        // Kestrel enforces the limit too (plus the drain allowance), so a chunked body cannot slip past the Content-Length check.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = RequestBody.DrainAllowanceBytes +
                (context.Configuration.GetValue<long?>($"{InferenceOptions.Section}:MaxRequestBytes") ?? new InferenceOptions().MaxRequestBytes));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ModelRepositoryFactory.Create);
        services.AddSingleton<ModelVersionIndex>();
        services.AddSingleton<ExecutionProviderSelector>();
        services.AddSingleton<OptimizedModelCache>();
        services.AddSingleton<IModelSessionFactory, OnnxSessionFactory>();
        services.AddSingleton<ModelCache>();
        services.AddSingleton<InferenceStatistics>();
        services.AddSingleton<InferenceService>();
        services.AddSingleton<ServerReadiness>();
        services.AddHostedService<ModelPreloader>();
        builder.AddMetering();
        builder.AddJobs();
        return builder;
    }
}
