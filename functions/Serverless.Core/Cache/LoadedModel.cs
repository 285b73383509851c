using Serverless.Core.Batching;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>
/// A loaded model version. It counts the leases held on it, so eviction or unload only retires it: the session
/// is disposed when the last request using it lets go, never under a running inference.
/// </summary>
public sealed class LoadedModel
{
    private readonly object _gate = new();
    private int _leases;
    private bool _retired;
    private bool _disposed;

    public LoadedModel(ModelKey key, IModelSession session, ModelConfig config, long sizeBytes, TimeSpan loadTime, DynamicBatcher? batcher = null)
    {
        Key = key;
        Session = session;
        Batcher = batcher;
        Config = config;
        SizeBytes = sizeBytes;
        LoadTime = loadTime;
    }

    public ModelKey Key { get; }

    public IModelSession Session { get; }

    /// <summary>Merges concurrent requests into one Run when config.json turns dynamic batching on.</summary>
    public DynamicBatcher? Batcher { get; }

    public ModelConfig Config { get; }

    /// <summary>Bytes counted against Models:MaxLoadedBytes: the version's files, model and external data (ONNX Runtime keeps the weights resident).</summary>
    public long SizeBytes { get; }

    public TimeSpan LoadTime { get; }

    /// <summary>The content it was loaded from (<see cref="ModelFile.ContentId"/>), so a load can tell whether the repository's copy changed since.</summary>
    public string ContentId { get; init; } = "";

    public bool IsDisposed { get { lock (_gate) { return _disposed; } } }

    internal bool TryAcquire()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }
            _leases++;
            return true;
        }
    }

    internal void Release()
    {
        lock (_gate)
        {
            _leases--;
            DisposeIfIdle();
        }
    }

    /// <summary>No new leases; the session goes once the current ones are released.</summary>
    internal void Retire()
    {
        lock (_gate)
        {
            _retired = true;
            DisposeIfIdle();
        }
    }

    private void DisposeIfIdle()
    {
        if (_retired && _leases == 0 && !_disposed)
        {
            _disposed = true;
            Batcher?.Dispose();
            Session.Dispose();
        }
    }
}
