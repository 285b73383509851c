using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

/// <summary>The start-up warm-up of options validation (issue 26) builds reflection only: it changes no validation's result.</summary>
public sealed class ValidatedOptionsWarmUpTests
{
    [Fact]
    public void WarmUp_ThenRead_StillRefusesAnInvalidValue()
    {
        ValidatedOptions.WarmUp<HostingOptions>();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Hosting:DrainTimeoutSeconds"] = "-1" }).Build();

        var refused = Assert.Throws<OptionsValidationException>(() => ValidatedOptions.Read<HostingOptions>(configuration, HostingOptions.Section));

        Assert.Contains(nameof(HostingOptions.DrainTimeoutSeconds), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmUp_ThenRead_StillBindsAValidValue()
    {
        ValidatedOptions.WarmUp<HostingOptions>();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Hosting:DrainTimeoutSeconds"] = "7" }).Build();

        Assert.Equal(7, ValidatedOptions.Read<HostingOptions>(configuration, HostingOptions.Section).DrainTimeoutSeconds);
    }

    [Fact]
    public void WarmUp_OptionsWhoseDefaultsAreInvalid_DoesNotThrow()
    {
        // A default instance need not be valid: the warm-up runs on the thread pool and must never fault start-up.
        ValidatedOptions.WarmUp<RequiresAName>();
    }

    public sealed class RequiresAName
    {
        [Required]
        public string? Name { get; set; }
    }
}
