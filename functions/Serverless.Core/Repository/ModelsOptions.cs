using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Repository;

/// <summary>Configuration section <c>Models</c>: where models live and how many stay loaded.</summary>
public sealed class ModelsOptions
{
    public const string Section = "Models";

    /// <summary>A local folder, or a blob container URL with an optional prefix. Empty means the sample repository.</summary>
    public string Repository { get; set; } = "";

    /// <summary>Connection string for a blob repository; without it, DefaultAzureCredential (managed identity in Azure).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Models (name or name:version) loaded at start-up; readiness waits for them.</summary>
    public string[] Preload { get; set; } = [];

    /// <summary>Memory budget for loaded sessions, estimated from model file sizes; least recently used models are evicted beyond it.</summary>
    [Range(1, long.MaxValue)]
    public long MaxLoadedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Budget for the sessions that run on CUDA, estimated the same way; 0 means only MaxLoadedBytes applies. Set it
    /// below the GPU's memory when CPU and GPU models share a process, leaving room for activations and the arena.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxGpuLoadedBytes { get; set; }

    /// <summary>How stale the list of versions may get before the repository is listed again.</summary>
    [Range(0, 86_400)]
    public int RefreshIntervalSeconds { get; set; } = 30;
}
