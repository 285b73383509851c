using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Embedded mode's queue trigger: Jobs:BatchSize workers on the in-process queue, with the same retry and poison rules
/// as the storage listener (the poison "queue" is the log and the job record). At start-up it plans unfinished jobs
/// again, which re-sends their pending shards: jobs survive a restart.
/// </summary>
public sealed class JobsChannelListener(ChannelJobQueue queue, IJobStore store, JobMessageHandler handler, IOptions<JobsOptions> options,
    ILogger<JobsChannelListener> logger) : BackgroundService
{
    private const int ResumeScan = 1000;
    private static readonly TimeSpan InitializeRetryDelay = TimeSpan.FromSeconds(DataDiskFailure.RetryAfterSeconds);
    private bool _initialized;

    /// <summary>
    /// Creates the job tables before the server listens (hosted services start before Kestrel), so a request can never
    /// find them missing: that raced with POST /jobs and answered 500 on a busy machine.
    /// </summary>
    /// <remarks>
    /// A data disk that refuses the write (full, read-only) does not fail the start: the process would be restarted into
    /// the same disk. Inference is served, and the tables are created once the disk takes writes (before jobs resume).
    /// </remarks>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _initialized = await TryInitializeAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!_initialized)
        {
            await Task.Delay(InitializeRetryDelay, stoppingToken);
            _initialized = await TryInitializeAsync(stoppingToken);
        }
        foreach (var job in await store.ListAsync(ResumeScan, caller: null, stoppingToken))
        {
            if (!job.State.IsTerminal())
            {
                logger.LogInformation("Resuming job {JobId}", job.Id);
                await queue.SendAsync(job.Request.ToJson(), stoppingToken);
            }
        }
        var workers = Enumerable.Range(0, options.Value.BatchSize).Select(_ => WorkAsync(stoppingToken)).ToList();
        await Task.WhenAll(workers);
    }

    private async Task<bool> TryInitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (DataDiskFailure.Is(e))
        {
            logger.LogError(e, "Creating the job tables failed: the data disk refused the write; jobs fail until it takes writes (retried every {Delay})",
                InitializeRetryDelay);
            return false;
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    // Stopping does not wait for a shard stuck where cancellation cannot reach (a blocking open, a
                    // native call): the host's shutdown budget would run out and every service after this one would
                    // stop with a cancelled token. Task.Run, because a handler may block before its first await.
                    // The message is not lost: its job is planned again at the next start.
                    await Task.Run(() => handler.HandleAsync(message.Body, message.Id, message.DequeueCount, stoppingToken), stoppingToken).WaitAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Fail(message, e, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Fail(ChannelJobMessage message, Exception error, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (message.DequeueCount >= settings.MaxDequeueCount)
        {
            logger.LogError("Message {MessageId} failed {Attempts} times, moved to {PoisonQueue}: {Reason}",
                message.Id, message.DequeueCount, JobsInitializer.PoisonQueue(settings), error.Message);
            return;
        }
        logger.LogWarning("Message {MessageId} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay} s: {Reason}",
            message.Id, message.DequeueCount, settings.MaxDequeueCount, settings.VisibilityTimeoutSeconds, error.Message);
        _ = RetryLaterAsync(message, TimeSpan.FromSeconds(settings.VisibilityTimeoutSeconds), stoppingToken);
    }

    private async Task RetryLaterAsync(ChannelJobMessage message, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            await queue.RetryAsync(message, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
