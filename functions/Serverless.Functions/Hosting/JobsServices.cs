using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Jobs;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Batch scoring: with AzureWebJobsStorage, Storage queues + Table job state + blob files; without, the embedded
/// trio (in-process queue, SQLite, local files). Standalone, the app's own queue listener delivers storage messages;
/// under the Functions host its queue extension does (the ScoreShard function), and nothing else may consume them.
/// </summary>
public static class JobsServices
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder, HostingMode mode, FunctionsStorageConnection? storage)
    {
        var services = builder.Services;
        // First host.json's queue settings, then Jobs:* over them.
        services.AddOptions<JobsOptions>().Configure(options => HostJsonQueueSettings.Seed(options, HostJsonQueueSettings.DefaultPath));
        services.AddValidatedOptions<JobsOptions, JobsOptionsValidator>(JobsOptions.Section);
        if (storage is null)
        {
            services.AddSingleton(sp => new ChannelJobQueue(Options(sp).Queue));
            services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<ChannelJobQueue>());
            services.AddSingleton<IJobStore>(sp => new SqliteJobStore(Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "jobs.db")));
            services.AddSingleton<IJobFiles>(sp => new LocalJobFiles(LocalRoot(sp)));
            services.AddHostedService<JobsChannelListener>();
        }
        else
        {
            // The account's clients: AzureClientServices.
            services.AddSingleton<IJobQueue>(sp => new StorageJobQueue(sp.GetRequiredService<QueueServiceClient>().GetQueueClient(Options(sp).Queue)));
            services.AddSingleton<IJobStore>(sp => new TableJobStore(sp.GetRequiredService<TableServiceClient>().GetTableClient(Options(sp).Table)));
            services.AddSingleton<IJobFiles>(sp => new BlobJobFiles(sp.GetRequiredService<BlobServiceClient>(), Options(sp).AllowedContainers));
            services.AddHostedService<JobsInitializer>();
            if (mode == HostingMode.Standalone)
            {
                services.AddHostedService<JobsQueueListener>();
            }
        }
        // After the store's initializer (listener or JobsInitializer): hosted services start in the order they are added.
        services.AddHostedService<JobRetentionSweep>();
        services.AddSingleton<IShardUsageRecorder, LedgerShardUsageRecorder>();
        services.AddSingleton<ShardScorer>();
        services.AddSingleton<JobCompletion>();
        services.AddSingleton<JobPlanner>();
        services.AddSingleton<JobMessageHandler>();
        return builder;
    }

    private static JobsOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<JobsOptions>>().Value;

    private static string LocalRoot(IServiceProvider services)
    {
        var configured = Options(services).LocalRoot;
        var root = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "jobs")
            : configured;
        Directory.CreateDirectory(root);
        return root;
    }
}
