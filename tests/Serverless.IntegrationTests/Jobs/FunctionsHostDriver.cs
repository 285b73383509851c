using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Functions.Protocol.Queue;
using Serverless.Testing;

namespace Serverless.Tests.Jobs;

/// <summary>
/// Plays the Functions host's queue extension against an app that does not listen itself (Jobs:Listen=false): receives
/// from the real queue and invokes the ScoreShard function with the decoded message text, its id and dequeue count,
/// as the worker binds them. The function returning completes the message; throwing makes the host retry it.
/// </summary>
public sealed class FunctionsHostDriver(IServiceProvider app, QueueClient queue)
{
    private readonly ScoreShardFunction _function = ActivatorUtilities.CreateInstance<ScoreShardFunction>(app);

    public async Task<List<QueueMessage>> ReceiveAllAsync(int expected)
    {
        var messages = new List<QueueMessage>();
        await Eventually.TrueAsync(async () =>
        {
            messages.AddRange((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value);
            return messages.Count >= expected;
        }, $"{expected} messages arriving on {queue.Name}", interval: TimeSpan.FromMilliseconds(100));
        return messages;
    }

    /// <summary>The invocation's outcome: null when the function completed the message, else what it threw.</summary>
    public async Task<Exception?> InvokeAsync(QueueMessage message, long? dequeueCount = null)
    {
        try
        {
            await _function.RunAsync(message.Body.ToString(), dequeueCount ?? message.DequeueCount, message.MessageId, CancellationToken.None);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public async Task CompleteAsync(QueueMessage message) => await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
}
