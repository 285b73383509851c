namespace Serverless.Core.Cache;

/// <summary>
/// The leases held on one loaded model, whatever its kind. Eviction or unload only retires it: what it holds (ONNX
/// Runtime sessions, a generator's model) is released by <c>dispose</c> when the last request using it lets go, never
/// under a running call.
/// </summary>
public sealed class ModelLifetime(Action dispose)
{
    private readonly object _gate = new();
    private int _leases;
    private bool _retired;
    private bool _disposed;

    public bool IsDisposed { get { lock (_gate) { return _disposed; } } }

    /// <summary>False once retired: the registry then loads the version again.</summary>
    public bool TryAcquire()
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

    public void Release()
    {
        lock (_gate)
        {
            _leases--;
            DisposeIfIdle();
        }
    }

    /// <summary>No new leases; disposed once the current ones are released.</summary>
    public void Retire()
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
            dispose();
        }
    }
}
