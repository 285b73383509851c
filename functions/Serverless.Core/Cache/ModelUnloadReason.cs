namespace Serverless.Core.Cache;

/// <summary>Why the registry let go of a loaded version.</summary>
public enum ModelUnloadReason
{
    /// <summary>Least recently used, evicted to keep within Models:MaxLoadedBytes or Models:MaxGpuLoadedBytes.</summary>
    Evicted,

    /// <summary>The repository extension's unload.</summary>
    Unloaded,

    /// <summary>Its content changed in the repository and an explicit load loaded it again.</summary>
    Reloaded,
}
