using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;

namespace Serverless.Tests.Core.Storage;

/// <summary>
/// Downloads that died with their process (a SIGTERM or a kill mid-download) leave a temporary folder; the cache
/// sweeps it before its first fetch, and never sweeps one a live download still holds.
/// </summary>
public sealed class DownloadedModelCacheTests : IDisposable
{
    private static readonly byte[] Content = "onnx bytes"u8.ToArray();
    private static readonly RemoteModelFile[] Files = [new("model.onnx", Content.Length, "\"etag-1\"", null)];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "downloaded-cache-test-" + Guid.NewGuid().ToString("N"));

    private static Task Download(RemoteModelFile file, Stream destination, IProgress<long> progress, CancellationToken cancellationToken) =>
        destination.WriteAsync(Content, cancellationToken).AsTask();

    /// <summary>A temporary folder as a download leaves it when killed: part of a file, no lock held.</summary>
    private string LeftoverOf(string model)
    {
        var staging = Path.Combine(_root, model, "1", $".0123456789abcdef.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(Path.Combine(staging, "model.onnx"), new byte[4096]);
        return staging;
    }

    [Fact]
    public async Task FirstFetch_AfterAKilledDownload_RemovesItsTemporaryFolderInAnyModel()
    {
        var leftover = LeftoverOf("big-model");
        var cache = new DownloadedModelCache(_root, NullLogger.Instance);

        var file = await cache.GetAsync(new ModelKey("small-model", 1), Files, Download, progress: null);

        Assert.True(File.Exists(file.Path));
        Assert.False(Directory.Exists(leftover));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "big-model", "1")));
    }

    [Fact]
    public async Task FirstFetch_DownloadStillRunningElsewhere_KeepsItsTemporaryFolder()
    {
        var running = LeftoverOf("iris-mlp");
        // The live download's lock, as another process sharing the data folder holds it.
        using var held = new FileStream(running + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var cache = new DownloadedModelCache(_root, NullLogger.Instance);

        await cache.GetAsync(new ModelKey("iris-mlp", 1), Files, Download, progress: null);

        Assert.True(Directory.Exists(running));
    }

    [Fact]
    public async Task Fetch_Completed_LeavesNoTemporaryFolderOrLockBehind()
    {
        var cache = new DownloadedModelCache(_root, NullLogger.Instance);

        var file = await cache.GetAsync(new ModelKey("iris-mlp", 1), Files, Download, progress: null);

        var entries = Directory.EnumerateFileSystemEntries(Path.Combine(_root, "iris-mlp", "1")).Select(Path.GetFileName);
        Assert.Equal([Path.GetFileName(Path.GetDirectoryName(file.Path))], entries);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
