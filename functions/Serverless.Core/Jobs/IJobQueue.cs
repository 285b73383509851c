namespace Serverless.Core.Jobs;

/// <summary>The jobs queue, send side: job submissions and shard messages (Azure Storage queue, or in-process).</summary>
public interface IJobQueue
{
    string Name { get; }

    Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);
}
