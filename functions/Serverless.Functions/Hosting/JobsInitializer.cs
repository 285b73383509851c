using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Serverless.Core.Jobs;

namespace Serverless.Functions.Hosting;

/// <summary>Creates the job table, the jobs queue and its poison queue before the first job arrives (storage mode).</summary>
public sealed class JobsInitializer(IJobStore store, QueueServiceClient queues, IOptions<JobsOptions> options, ILogger<JobsInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
            await queues.GetQueueClient(options.Value.Queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await queues.GetQueueClient(PoisonQueue(options.Value)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Inference does not need job storage: serve it, and let job calls fail (and retry) until storage answers.
            logger.LogError("Creating the jobs table and queues failed; jobs will fail until storage is reachable: {Reason}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The Functions host's convention: <c>&lt;queue&gt;-poison</c>.</summary>
    public static string PoisonQueue(JobsOptions options) => options.Queue + "-poison";
}
