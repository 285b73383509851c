using System.Buffers;
using System.Security.Cryptography;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>
/// A write-only stream that writes to a file and hashes the same bytes on another core while the next bytes arrive.
/// </summary>
/// <remarks>
/// Hand-written because CryptoStream hashes in line: on a cold start of a 27 MB model, MD5 in the download's own
/// loop cost about as much as the download from Azurite. Here each chunk is copied once, hashed by a pool task in
/// order (each waits for the one before), and written to the file meanwhile.
/// </remarks>
public sealed class HashingFileWriter(FileStream file, HashAlgorithmName algorithm) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);
    private const long MaxUnhashedBytes = 16 * 1024 * 1024;
    private Task _hashing = Task.CompletedTask;
    private long _unhashedBytes;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>The hash of everything written, once every chunk has been hashed.</summary>
    public async Task<byte[]> GetHashAsync()
    {
        await _hashing;
        return _hash.GetHashAndReset();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.IsEmpty)
        {
            return;
        }
        if (Interlocked.Add(ref _unhashedBytes, buffer.Length) > MaxUnhashedBytes)
        {
            // Hashing fell behind (a starved core): wait rather than hold copies of the whole model in memory.
            await _hashing;
        }
        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        buffer.Span.CopyTo(copy);
        var length = buffer.Length;
        var previous = _hashing;
        _hashing = Task.Run(async () =>
        {
            await previous;
            try
            {
                _hash.AppendData(copy, 0, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
                Interlocked.Add(ref _unhashedBytes, -length);
            }
        }, CancellationToken.None);
        // Written synchronously: a write only copies into the page cache, while FileStream's WriteAsync on Linux
        // goes through the thread pool, where on a busy instance each chunk queues behind request work.
        file.Write(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override void Flush() => file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A failed download may leave chunks being hashed: let them finish before the hash goes away.
            _hashing.ContinueWith(_ => _hash.Dispose(), TaskScheduler.Default);
        }
        base.Dispose(disposing);
    }
}
