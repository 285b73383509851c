using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Text.Generation;

/// <summary>Generation:* settings: how many generations one model runs at once.</summary>
public sealed class GenerationSettings
{
    public const string Section = "Generation";

    /// <summary>
    /// Generations one loaded model runs at once; the next call is refused with 429 and Retry-After. Each holds a KV
    /// cache and a core while it generates, so beyond the cores more only slows every stream.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentPerModel { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Seconds a refused caller is told to wait (Retry-After).</summary>
    [Range(1, 3600)]
    public int BusyRetryAfterSeconds { get; set; } = 1;
}

/// <summary><see cref="GenerationSettings"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class GenerationSettingsValidator : Microsoft.Extensions.Options.IValidateOptions<GenerationSettings>;
