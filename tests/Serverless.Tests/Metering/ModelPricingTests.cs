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

    [Fact]
    public void CostOf_TextCall_PricesPromptAndCompletionTokensApart()
    {
        var pricing = new ModelPricing { PerCall = 0.001m, Per1000InputTokens = 0.1m, Per1000OutputTokens = 0.4m };

        // 1 call + 1,500 prompt tokens x 0.1 / 1000 + 250 completion tokens x 0.4 / 1000
        Assert.Equal(0.001m + 0.15m + 0.1m, pricing.CostOf(rows: 1, computeSeconds: 0, inputTokens: 1500, outputTokens: 250));
    }

    [Fact]
    public void CostOf_TensorCall_TokenPricesCostNothing()
    {
        var pricing = Default with { Per1000InputTokens = 5m, Per1000OutputTokens = 7m };

        Assert.Equal(Default.CostOf(rows: 2000, computeSeconds: 0.5), pricing.CostOf(rows: 2000, computeSeconds: 0.5));
    }

    [Fact]
    public void FromConfig_TokenPrices_ReadsBothAndKeepsTheDefaultsOfTheRest()
    {
        using var config = JsonDocument.Parse("""{"per_1000_input_tokens": 0.02, "per_1000_output_tokens": 0.06}""");

        var pricing = ModelPricing.FromConfig("m", config.RootElement, Default);

        Assert.Equal(Default with { Per1000InputTokens = 0.02m, Per1000OutputTokens = 0.06m }, pricing);
    }

    [Fact]
    public void FromConfig_NegativeTokenPrice_ThrowsNamingTheKey()
    {
        using var config = JsonDocument.Parse("""{"per_1000_output_tokens": -0.5}""");

        var error = Assert.Throws<InvalidDataException>(() => ModelPricing.FromConfig("m", config.RootElement, Default));

        Assert.Contains("per_1000_output_tokens", error.Message);
    }

    [Fact]
    public void Validate_NegativeDefaultTokenPrice_IsRefused()
    {
        var options = new MeteringOptions { DefaultPricing = new ModelPricing { Per1000InputTokens = -1m } };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Metering:DefaultPricing"));
    }

    [Theory]
    [InlineData("calls", QuotaMeasure.Calls)]
    [InlineData("rows", QuotaMeasure.Rows)]
    [InlineData("Tokens", QuotaMeasure.Tokens)]
    public void CallerPlan_QuotaUnit_NamesWhatTheQuotaCounts(string unit, QuotaMeasure measure)
    {
        var plan = new CallerPlan { MonthlyQuota = 10, QuotaUnit = unit };

        Assert.Equal(measure, plan.Measure);
        Assert.Empty(plan.Validate("plan"));
    }

    [Fact]
    public void CallerPlan_UnknownQuotaUnit_IsRefusedNamingTheUnits()
    {
        var error = Assert.Single(new CallerPlan { QuotaUnit = "words" }.Validate("plan"));

        Assert.Contains("calls, rows or tokens", error.ErrorMessage);
    }
}
