namespace Serverless.Core.Cache;

/// <summary>A request's hold on a loaded model; dispose it when the request is done with the session.</summary>
public sealed class ModelLease(LoadedModel model) : IDisposable
{
    private int _released;

    public LoadedModel Model { get; } = model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Release();
        }
    }
}
