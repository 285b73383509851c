using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>Writes a temporary file beside the target and renames it into place on commit (atomic on one file system).</summary>
public sealed class LocalPartWriter : IPartWriter
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly FileStream _stream;
    private bool _committed;

    public LocalPartWriter(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporarySuffix}");
        _stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
    }

    private const string TemporarySuffix = ".tmp";

    /// <summary>Whether <paramref name="fileName"/> is a writer's temporary file (of <paramref name="target"/>, or of any file when null).</summary>
    public static bool IsTemporaryOf(string fileName, string? target)
    {
        // ".<target>.<32 hex digits>.tmp"
        const int GuidLength = 32;
        var stem = fileName.Length - TemporarySuffix.Length - GuidLength - 1;
        return fileName.StartsWith('.') && fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal) && stem > 1
            && fileName[stem] == '.' && !fileName.AsSpan(stem + 1, GuidLength).ContainsAnyExcept("0123456789abcdef")
            && (target is null || fileName.AsSpan(1, stem - 1).SequenceEqual(target));
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => _stream.WriteAsync(data, cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await _stream.FlushAsync(cancellationToken);
        await _stream.DisposeAsync();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        if (!_committed)
        {
            File.Delete(_temporary);
        }
    }
}
