using Azure.Storage.Queues;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>The jobs queue in Azure Storage. The client encodes messages in base64, as host.json's messageEncoding expects.</summary>
public sealed class StorageJobQueue(QueueClient queue) : IJobQueue
{
    public string Name => queue.Name;

    public async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        await queue.SendMessageAsync(new BinaryData(message), cancellationToken: cancellationToken);
}
