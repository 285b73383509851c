using System.ComponentModel.DataAnnotations;

namespace Serverless.Functions.Hosting;

/// <summary>Configuration section <c>Hosting</c>.</summary>
public sealed class HostingOptions
{
    public const string Section = "Hosting";

    /// <summary>On SIGTERM, how long in-flight requests may finish before sessions are disposed.</summary>
    [Range(0, 3600)]
    public int DrainTimeoutSeconds { get; set; } = 30;
}

/// <summary><see cref="HostingOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class HostingOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<HostingOptions>;
