using System.Threading.Channels;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// The in-process jobs queue of embedded mode. Not durable: unfinished jobs are planned again at start-up from
/// the SQLite store, which re-sends their pending shards.
/// </summary>
public sealed class ChannelJobQueue(string name) : IJobQueue
{
    private readonly Channel<ChannelJobMessage> _channel = Channel.CreateUnbounded<ChannelJobMessage>();

    public string Name { get; } = name;

    public ChannelReader<ChannelJobMessage> Reader => _channel.Reader;

    public Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        _channel.Writer.WriteAsync(new ChannelJobMessage(Guid.NewGuid().ToString("N"), message.ToArray(), 1), cancellationToken).AsTask();

    /// <summary>Puts a failed message back for another attempt.</summary>
    public ValueTask RetryAsync(ChannelJobMessage message, CancellationToken cancellationToken = default) =>
        _channel.Writer.WriteAsync(message with { DequeueCount = message.DequeueCount + 1 }, cancellationToken);
}
