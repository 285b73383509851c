using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Repository;

/// <summary>Configuration section <c>Models</c>: where models live and how many stay loaded.</summary>
public sealed class ModelsOptions : IValidatableObject
{
    public const string Section = "Models";

    /// <summary>A local folder, or a blob container URL with an optional prefix. Empty means the sample repository.</summary>
    public string Repository { get; set; } = "";

    /// <summary>
    /// Connection string for a blob repository; without it, the app's one credential: AzureWebJobsStorage's identity
    /// when that is identity-based, else DefaultAzureCredential (managed identity in Azure).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Models (name or name:version) loaded at start-up; readiness waits for them. Blank entries are skipped.</summary>
    public string[] Preload { get; set; } = [];

    /// <summary>Memory budget for loaded sessions, estimated from the size of each version's files (model plus external data); least recently used models are evicted beyond it.</summary>
    [Range(1, long.MaxValue)]
    public long MaxLoadedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Budget for the sessions that run on CUDA, estimated the same way; 0 means only MaxLoadedBytes applies. Set it
    /// below the GPU's memory when CPU and GPU models share a process, leaving room for activations and the arena.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxGpuLoadedBytes { get; set; }

    /// <summary>
    /// Parallel ranged reads per blob while a version downloads (StorageTransferOptions.MaximumConcurrency): one GET
    /// stream is limited by latency and per-connection throughput, so large blobs arrive in several ranges at once.
    /// </summary>
    [Range(1, 64)]
    public int DownloadConcurrency { get; set; } = 8;

    /// <summary>
    /// Size of each ranged read (StorageTransferOptions initial and maximum transfer size). Smaller ranges spread a
    /// blob over more parallel reads; each range in flight is buffered in memory.
    /// </summary>
    [Range(256 * 1024, 256 * 1024 * 1024)]
    public int DownloadChunkBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long a request waits for a version that is still loading (a large download) before a 503 with Retry-After;
    /// the load itself carries on, shared by every request.
    /// </summary>
    [Range(1, 3_600)]
    public int LoadWaitTimeoutSeconds { get; set; } = 120;

    /// <summary>How stale the list of versions may get before the repository is listed again.</summary>
    [Range(0, 86_400)]
    public int RefreshIntervalSeconds { get; set; } = 30;

    /// <summary><see cref="Preload"/>'s entries, each a model name and an optional version (valid once the options are).</summary>
    public IEnumerable<(string Model, long? Version)> PreloadModels() =>
        Preload.Where(entry => !string.IsNullOrWhiteSpace(entry)).Select(entry => TryParsePreload(entry.Trim(), out var model) ? model : throw new ArgumentException(entry));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Preload.Where(entry => !string.IsNullOrWhiteSpace(entry) && !TryParsePreload(entry.Trim(), out _))
            .Select(entry => new ValidationResult(
                $"{Section}:{nameof(Preload)} entry '{entry}' is not a model name or name:version (names use letters, digits, '-', '_' and '.', and do not start with '.'; versions are positive integers without leading zeros).",
                [nameof(Preload)]));

    private static bool TryParsePreload(string entry, out (string Model, long? Version) model)
    {
        var colon = entry.IndexOf(':');
        var name = colon < 0 ? entry : entry[..colon];
        long parsed = 0;
        var valid = ModelName.IsValid(name) && (colon < 0 || ModelRepositoryLayout.TryParseVersion(entry[(colon + 1)..], out parsed));
        model = (name, colon < 0 ? null : parsed);
        return valid;
    }
}

/// <summary><see cref="ModelsOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class ModelsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ModelsOptions>;
