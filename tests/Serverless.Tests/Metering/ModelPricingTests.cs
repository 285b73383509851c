using System.Text.Json;
using Serverless.Core.Metering;

namespace Serverless.Tests.Metering;

public sealed class ModelPricingTests
{
    private static readonly ModelPricing Default = new() { PerCall = 0.5m, Per1000Rows = 0.25m, PerComputeSecond = 2m };

    [Fact]
    public void FromConfig_PartialPricing_TakesDefaultForMissingKeys()
    {
        using var config = JsonDocument.Parse("""{"per_call": 0.01}""");

        var pricing = ModelPricing.FromConfig("m", config.RootElement, Default);

        Assert.Equal(new ModelPricing { PerCall = 0.01m, Per1000Rows = 0.25m, PerComputeSecond = 2m }, pricing);
    }

    [Fact]
    public void FromConfig_NoPricing_ReturnsDefault()
    {
        Assert.Same(Default, ModelPricing.FromConfig("m", null, Default));
    }

    [Fact]
    public void FromConfig_NegativePrice_ThrowsNamingTheKey()
    {
        using var config = JsonDocument.Parse("""{"per_1000_rows": -1}""");

        var error = Assert.Throws<InvalidDataException>(() => ModelPricing.FromConfig("m", config.RootElement, Default));

        Assert.Contains("per_1000_rows", error.Message);
    }

    [Fact]
    public void CostOf_RowsAndCompute_AddsAllThreeParts()
    {
        Assert.Equal(0.5m + 0.25m * 2 + 2m * 0.5m, Default.CostOf(rows: 2000, computeSeconds: 0.5));
    }
}
