using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>
/// Local copies of remote model versions, kept across restarts, for any remote repository. A version is a folder
/// named after its files' names, sizes and ETags: downloaded into a temporary folder, every file verified (length,
/// and MD5 where the store has one), then published by one rename. So a restart reuses a version while no ETag
/// changed, a changed file gives a new folder, and a crash or a failed file never leaves a folder that looks complete.
/// A download holds an exclusive lock on a file beside its temporary folder for as long as it runs; the lock dies with
/// its process, so a folder whose lock can be taken was abandoned (a kill mid-download) and is swept: once per process
/// before its first fetch, and after every completed download.
/// </summary>
public sealed class DownloadedModelCache(string root, ILogger logger)
{
    /// <summary>Writes one remote file into <paramref name="destination"/>, reporting the bytes received so far (cumulative) to <paramref name="progress"/>.</summary>
    public delegate Task Download(RemoteModelFile file, Stream destination, IProgress<long> progress, CancellationToken cancellationToken);

    private const string TemporarySuffix = ".tmp";
    private const string LockSuffix = ".lock";
    private int _downloads;
    private int _swept;

    /// <summary>Files downloaded so far (not served from the local copy).</summary>
    public int Downloads => Volatile.Read(ref _downloads);

    public async Task<ModelFile> GetAsync(ModelKey key, IReadOnlyList<RemoteModelFile> files, Download download,
        ModelFetchProgress? progress, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            SweepAbandoned();
        }
        var total = files.Sum(f => f.Length);
        progress?.Begin(total, files.Count);
        var versionFolder = Path.Combine(root, key.Name, key.Version.ToString(CultureInfo.InvariantCulture));
        var contentId = ContentId(files);
        var folder = Path.Combine(versionFolder, contentId);
        if (IsComplete(folder, files))
        {
            progress?.Complete();
            return Published(folder, total, contentId, files.Count);
        }

        Directory.CreateDirectory(versionFolder);
        var staging = Path.Combine(versionFolder, $".{contentId}.{Guid.NewGuid():N}{TemporarySuffix}");
        var started = Stopwatch.GetTimestamp();
        var held = HoldLock(staging);
        try
        {
            // One file at a time: each large file is already read in parallel ranges, and a version's files are
            // usually one model.onnx and a few large weight files.
            foreach (var file in files)
            {
                var path = ModelRepositoryLayout.ResolveInside(staging, file.RelativePath)
                    ?? throw new ModelLoadException($"model {key}: file '{file.RelativePath}' has a name that reaches outside the version folder");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                Interlocked.Increment(ref _downloads);
                await DownloadFileAsync(key, file, path, download, progress, cancellationToken);
            }
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (IsComplete(folder, files))
            {
                // Another process sharing the data folder published the same content first; theirs is as good.
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
            held.Dispose();
        }
        RemoveOtherCopies(key, versionFolder, contentId);
        var elapsed = Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Downloaded {Model} v{Version} ({Files} files, {Bytes} bytes) in {ElapsedMs} ms, {MegabytesPerSecond:F1} MB/s",
            key.Name, key.Version, files.Count, total, elapsed.TotalMilliseconds, total / 1e6 / Math.Max(elapsed.TotalSeconds, 1e-3));
        return Published(folder, total, contentId, files.Count);
    }

    private static async Task DownloadFileAsync(ModelKey key, RemoteModelFile file, string path, Download download,
        ModelFetchProgress? progress, CancellationToken cancellationToken)
    {
        var received = new ReceivedBytes(progress);
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.None);
        // The MD5 is computed as the bytes pass through, not in a second read of the file, and only when the store
        // has a Content-MD5 to compare it with (blobs committed from blocks usually have none).
        if (file.ContentMd5 is { Length: > 0 } expected)
        {
            await using var hashing = new HashingFileWriter(stream, HashAlgorithmName.MD5);
            await download(file, hashing, received, cancellationToken);
            if (!(await hashing.GetHashAsync()).AsSpan().SequenceEqual(expected))
            {
                throw new ModelLoadException($"model {key}: downloaded file '{file.RelativePath}' does not match the blob's Content-MD5");
            }
        }
        else
        {
            await download(file, stream, received, cancellationToken);
        }
        if (stream.Length != file.Length)
        {
            throw new ModelLoadException($"model {key}: downloaded {stream.Length} bytes of '{file.RelativePath}' but the blob has {file.Length}");
        }
    }

    private static ModelFile Published(string folder, long total, string contentId, int files) =>
        new(Path.Combine(folder, ModelRepositoryLayout.ModelFileName), total, contentId, files);

    /// <summary>The content id of a version made of these blobs: it changes when any blob's ETag does.</summary>
    internal static string ContentId(IReadOnlyList<RemoteModelFile> files)
    {
        var identity = new StringBuilder();
        foreach (var file in files.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
        {
            identity.Append(file.RelativePath).Append('\n').Append(file.Length).Append('\n').Append(file.ETag).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity.ToString())))[..16];
    }

    // A published folder is complete by construction; the sizes are checked too because they cost one stat per file
    // and catch a copy someone edited or truncated by hand.
    private static bool IsComplete(string folder, IReadOnlyList<RemoteModelFile> files) =>
        Directory.Exists(folder) && files.All(f => ModelRepositoryLayout.ResolveInside(folder, f.RelativePath) is { } path
            && new FileInfo(path) is { Exists: true } info && info.Length == f.Length);

    /// <summary>
    /// The lock of a download into <paramref name="staging"/>: exclusive (an advisory lock on Unix, a share mode on
    /// Windows), released when disposed or when the process dies, and its file deleted on close.
    /// </summary>
    private static FileStream HoldLock(string staging) =>
        new(staging + LockSuffix, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);

    /// <summary>Whether the download that owned <paramref name="staging"/> is gone: its lock can be taken (and is, briefly).</summary>
    private static bool IsAbandoned(string staging)
    {
        try
        {
            using (HoldLock(staging))
            {
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Temporary folders left by downloads that died with their process, in every version of every model.</summary>
    private void SweepAbandoned()
    {
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (var staging in Directory.EnumerateDirectories(root, "*" + TemporarySuffix, SearchOption.AllDirectories))
        {
            if (IsAbandoned(staging))
            {
                Remove(new DirectoryInfo(staging), "an abandoned download");
            }
        }
    }

    /// <summary>Earlier copies of the version (older ETags, the single-file layout before folders) and abandoned temporary folders.</summary>
    private void RemoveOtherCopies(ModelKey key, string versionFolder, string keep)
    {
        foreach (var entry in new DirectoryInfo(versionFolder).EnumerateFileSystemInfos())
        {
            // Another process may be downloading into a temporary folder right now: only an unlocked one is a leftover.
            if (entry.Name == keep || entry.Name.EndsWith(LockSuffix, StringComparison.Ordinal)
                || (entry.Name.EndsWith(TemporarySuffix, StringComparison.Ordinal) && !IsAbandoned(entry.FullName)))
            {
                continue;
            }
            Remove(entry, $"an old copy of {key.Name} v{key.Version}");
        }
    }

    private void Remove(FileSystemInfo entry, string what)
    {
        try
        {
            // On Linux a session still open on an older copy keeps reading it: unlinked files live on while open.
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not remove {What} at {Path}: {Reason}", what, entry.FullName, e.Message);
        }
    }

    /// <summary>
    /// Turns the SDK's cumulative byte counts into increments. Parallel ranges may report out of order, so only a
    /// new maximum counts.
    /// </summary>
    private sealed class ReceivedBytes(ModelFetchProgress? progress) : IProgress<long>
    {
        private long _reported;

        public void Report(long value)
        {
            while (true)
            {
                var reported = Interlocked.Read(ref _reported);
                if (value <= reported)
                {
                    return;
                }
                if (Interlocked.CompareExchange(ref _reported, value, reported) == reported)
                {
                    progress?.Add(value - reported);
                    return;
                }
            }
        }
    }
}
