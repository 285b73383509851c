using System.Text;
using Azure.Storage.Blobs.Specialized;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// Stages blocks as output arrives and commits the block list once: until then readers see the previous blob or
/// none. Block ids carry a per-attempt prefix, so two deliveries of one shard never mix blocks.
/// </summary>
public sealed class BlobPartWriter(BlockBlobClient blob, int blockBytes) : IPartWriter
{
    private readonly string _attempt = Guid.NewGuid().ToString("N");
    private readonly List<string> _blocks = [];
    private readonly byte[] _pending = new byte[blockBytes];
    private int _pendingBytes;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (data.Length > 0)
        {
            var take = Math.Min(data.Length, _pending.Length - _pendingBytes);
            data.Span[..take].CopyTo(_pending.AsSpan(_pendingBytes));
            _pendingBytes += take;
            data = data[take..];
            if (_pendingBytes == _pending.Length)
            {
                await StageAsync(cancellationToken);
            }
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_pendingBytes > 0)
        {
            await StageAsync(cancellationToken);
        }
        await blob.CommitBlockListAsync(_blocks, cancellationToken: cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task StageAsync(CancellationToken cancellationToken)
    {
        // Block ids must all have the same length within a blob.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{_attempt}-{_blocks.Count:D6}"));
        using (var content = new MemoryStream(_pending, 0, _pendingBytes, writable: false))
        {
            await blob.StageBlockAsync(id, content, cancellationToken: cancellationToken);
        }
        _blocks.Add(id);
        _pendingBytes = 0;
    }
}
