using System.Text;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Jobs;
using Serverless.Functions.Hosting;

namespace Serverless.Functions.Protocol.Queue;

/// <summary>
/// The jobs queue trigger under the Functions host. Polling, visibility, dequeue counts and the <c>-poison</c> queue are
/// the host's queue extension's (host.json <c>extensions.queues</c>): returning completes the message, throwing makes
/// the host retry it. The queue name is the app setting <c>Jobs:Queue</c> (<c>Jobs__Queue</c>), which the app reads too.
/// </summary>
public sealed class ScoreShardFunction(JobMessageHandler handler)
{
    public const string Name = "ScoreShard";

    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger("%Jobs:Queue%", Connection = FunctionsStorageConnection.Setting)] string message,
        long dequeueCount,
        string id,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(JobMessageBody.Normalize(Encoding.UTF8.GetBytes(message)), id, dequeueCount, cancellationToken);
}
