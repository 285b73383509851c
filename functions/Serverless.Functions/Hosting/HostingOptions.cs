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

/// <summary>
/// <see cref="HostingOptions"/>'s data annotations checked by code the options source generator writes at build time: the
/// reflection-based validator cost tens of milliseconds of a cold start (tests/Serverless.Benchmarks/RESULTS.md).
/// </summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class HostingOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<HostingOptions>;
