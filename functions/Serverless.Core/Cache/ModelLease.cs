namespace Serverless.Core.Cache;

/// <summary>A request's hold on a loaded model; dispose it when the request is done with the session.</summary>
/// <param name="loadedForThisCall">The version was not loaded when the call asked for it: the call started its load or waited for it.</param>
public sealed class ModelLease(LoadedModel model, bool loadedForThisCall = false) : IDisposable
{
    private int _released;

    public LoadedModel Model { get; } = model;

    /// <summary>The version was not loaded yet when this lease was asked for (a cache miss): the call started or waited for the load.</summary>
    public bool LoadedForThisCall { get; } = loadedForThisCall;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Release();
        }
    }
}
