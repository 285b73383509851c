using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;
using Serverless.Core.Jobs;

namespace Serverless.Functions.Hosting;

/// <summary>
/// The standalone queue trigger (storage configured, no Functions host): what the host's queue listener does, with
/// the same settings as host.json extensions.queues. Up to Jobs:BatchSize messages at once; a message stays invisible
/// while it works (renewed at half the lease); a failure makes it visible again after Jobs:VisibilityTimeoutSeconds;
/// at Jobs:MaxDequeueCount attempts it moves to &lt;queue&gt;-poison. Messages may be base64 or plain JSON.
/// </summary>
public sealed class JobsQueueListener(JobMessageHandler handler, IAzureClientFactory<QueueServiceClient> queues, IOptions<JobsOptions> options,
    ILogger<JobsQueueListener> logger) : BackgroundService
{
    // How long a received message is leased; renewed while the handler runs, so it only bounds redelivery after a crash.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Listen)
        {
            logger.LogInformation("Not listening on {Queue} (Jobs:Listen is false): other instances score this instance's jobs", settings.Queue);
            return;
        }
        // Received raw: the body may be base64 (what this app and the Functions host send) or plain JSON (tools, tests).
        var raw = queues.CreateClient(AzureClientServices.RawQueueMessages);
        var queue = raw.GetQueueClient(settings.Queue);
        var poison = raw.GetQueueClient(JobsInitializer.PoisonQueue(settings));
        var slots = new SemaphoreSlim(settings.BatchSize);
        var running = new List<Task>();
        var idle = MinPollingInterval;
        var maxIdle = TimeSpan.FromSeconds(settings.MaxPollingIntervalSeconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < settings.BatchSize && slots.Wait(0))
                {
                    free++;
                }
                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(free, Lease, stoppingToken)).Value;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Storage unreachable or throttling: back off like an empty queue and try again.
                    logger.LogWarning("Receiving from {Queue} failed: {Reason}", settings.Queue, e.Message);
                    messages = [];
                }
                if (free > messages.Length)
                {
                    slots.Release(free - messages.Length);
                }
                running.RemoveAll(t => t.IsCompleted);
                if (messages.Length == 0)
                {
                    await Task.Delay(idle, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, maxIdle.Ticks));
                    continue;
                }
                idle = MinPollingInterval;
                foreach (var message in messages)
                {
                    running.Add(ProcessAsync(queue, poison, message, slots, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running);
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var receipt = message.PopReceipt;
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = RenewAsync(queue, message.MessageId, () => receipt, r => receipt = r, renewing.Token);
        try
        {
            var body = JobMessageBody.Normalize(message.Body.ToMemory().Span);
            await handler.HandleAsync(body, message.MessageId, message.DequeueCount, stoppingToken);
            await StopAsync(renewing, renewal);
            await queue.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message becomes visible again when its lease ends.
            await StopAsync(renewing, renewal);
        }
        catch (Exception e)
        {
            await StopAsync(renewing, renewal);
            await FailAsync(queue, poison, message, receipt, e);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task FailAsync(QueueClient queue, QueueClient poison, QueueMessage message, string receipt, Exception error)
    {
        var settings = options.Value;
        try
        {
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                logger.LogError("Message {MessageId} failed {Attempts} times, moving it to {PoisonQueue}: {Reason}",
                    message.MessageId, message.DequeueCount, poison.Name, error.Message);
                await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
            }
            else
            {
                logger.LogWarning("Message {MessageId} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay} s: {Reason}",
                    message.MessageId, message.DequeueCount, settings.MaxDequeueCount, settings.VisibilityTimeoutSeconds, error.Message);
                await queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: TimeSpan.FromSeconds(settings.VisibilityTimeoutSeconds), cancellationToken: CancellationToken.None);
            }
        }
        catch (RequestFailedException e)
        {
            // The lease was lost (another instance has the message now); it is retried either way.
            logger.LogWarning("Could not settle failed message {MessageId}: {Reason}", message.MessageId, e.Message);
        }
    }

    private async Task RenewAsync(QueueClient queue, string messageId, Func<string> receipt, Action<string> setReceipt, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 2, cancellationToken);
                var updated = await queue.UpdateMessageAsync(messageId, receipt(), visibilityTimeout: Lease, cancellationToken: cancellationToken);
                setReceipt(updated.Value.PopReceipt);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (RequestFailedException e)
        {
            logger.LogWarning("Renewing the lease of message {MessageId} failed: {Reason}", messageId, e.Message);
        }
    }

    private static async Task StopAsync(CancellationTokenSource renewing, Task renewal)
    {
        await renewing.CancelAsync();
        await renewal;
    }
}
