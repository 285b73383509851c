namespace Serverless.Core.Jobs;

/// <summary>
/// Writes one output file atomically: nothing is visible until <see cref="CommitAsync"/> (blob: staged blocks, one
/// commit of the block list; local: a temporary file renamed into place), so a redelivered shard replaces its part
/// instead of appending to it.
/// </summary>
public interface IPartWriter : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    Task CommitAsync(CancellationToken cancellationToken = default);
}
