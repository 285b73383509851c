using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Repository;

/// <summary>
/// How far one load's fetch of a version has got, for the repository index, readiness and the log. The repository
/// reports the version's size before the first byte (<see cref="Begin"/>), then bytes as they arrive.
/// </summary>
public sealed class ModelFetchProgress(ModelKey key, ILogger logger, Action<long>? admit = null)
{
    // Often enough to see a large download move, rare enough that a slow one does not flood the log.
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastLogged = Stopwatch.GetTimestamp();
    private long _total = -1;
    private long _fetched;

    /// <summary>The version's size in bytes; -1 until the repository has listed its files.</summary>
    public long TotalBytes => Interlocked.Read(ref _total);

    public long FetchedBytes => Interlocked.Read(ref _fetched);

    /// <summary>Called before any byte is fetched; throws (a 503) when the version may not be loaded at all, e.g. larger than the memory budget.</summary>
    public void Begin(long totalBytes, int files)
    {
        admit?.Invoke(totalBytes);
        Interlocked.Exchange(ref _total, totalBytes);
        // Debug: a version already on local disk passes here too, and the download logs its own summary.
        logger.LogDebug("Fetching {Model} v{Version}: {Files} files, {TotalMb:F1} MB", key.Name, key.Version, files, totalBytes / 1e6);
    }

    /// <summary>Every byte is on local disk already (a folder repository, or a cached copy).</summary>
    public void Complete() => Interlocked.Exchange(ref _fetched, Math.Max(0, TotalBytes));

    public void Add(long bytes)
    {
        var fetched = Interlocked.Add(ref _fetched, bytes);
        var last = Interlocked.Read(ref _lastLogged);
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(last, now) >= LogInterval && Interlocked.CompareExchange(ref _lastLogged, now, last) == last)
        {
            logger.LogInformation("Fetching {Model} v{Version}: {FetchedMb:F1} of {TotalMb:F1} MB, {MegabytesPerSecond:F1} MB/s",
                key.Name, key.Version, fetched / 1e6, TotalBytes / 1e6, fetched / 1e6 / Stopwatch.GetElapsedTime(_started, now).TotalSeconds);
        }
    }

    /// <summary>For a LOADING version's reason: "fetched 120.0 of 950.3 MB", then "opening" once every byte is here.</summary>
    public string Describe()
    {
        var total = TotalBytes;
        var fetched = FetchedBytes;
        return total < 0 ? "listing files" : fetched < total ? $"fetched {fetched / 1e6:F1} of {total / 1e6:F1} MB" : $"opening ({total / 1e6:F1} MB fetched)";
    }
}
