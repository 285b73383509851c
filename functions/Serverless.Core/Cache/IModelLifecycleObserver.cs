namespace Serverless.Core.Cache;

/// <summary>
/// Told when the registry loads or lets go of a version (telemetry, prices), so the registry knows nothing about
/// them. Every <see cref="ModelLoaded"/> is followed by exactly one <see cref="ModelUnloaded"/>, except for the
/// versions still loaded when the process stops. Called on the loading or unloading thread: return quickly, never throw.
/// </summary>
public interface IModelLifecycleObserver
{
    /// <summary>Loaded and warmed up, with its <see cref="ILoadedModel.LoadTime"/>; before any request runs on it.</summary>
    void ModelLoaded(ILoadedModel model)
    {
    }

    /// <summary>Retired by the registry: no new leases, the session goes when the last one is released.</summary>
    void ModelUnloaded(ILoadedModel model, ModelUnloadReason reason)
    {
    }
}
