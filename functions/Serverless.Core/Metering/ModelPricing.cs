using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Serverless.Core.Metering;

/// <summary>
/// What a billed call costs: a price per call, per 1,000 rows, per second of compute, and for text calls per 1,000
/// input (prompt) tokens and per 1,000 output (completion) tokens, priced apart.
/// </summary>
public sealed record ModelPricing
{
    public decimal PerCall { get; set; }

    public decimal Per1000Rows { get; set; }

    public decimal PerComputeSecond { get; set; }

    /// <summary>Per 1,000 tokens fed to the model: an embedded text's or a prompt's ids, special tokens and chat template included.</summary>
    public decimal Per1000InputTokens { get; set; }

    /// <summary>Per 1,000 tokens generated.</summary>
    public decimal Per1000OutputTokens { get; set; }

    /// <summary>Rounded to 12 decimal places, trailing zeros dropped (0.0115, not 0.0115000) so exports read cleanly.</summary>
    public decimal CostOf(long rows, double computeSeconds, long inputTokens = 0, long outputTokens = 0) =>
        Math.Round(PerCall + Per1000Rows * rows / 1000m + PerComputeSecond * (decimal)computeSeconds
            + Per1000InputTokens * inputTokens / 1000m + Per1000OutputTokens * outputTokens / 1000m, 12) / 1.000000000000000000000000000000000m;

    /// <summary>Reads the <c>pricing</c> object of a model's config.json; keys it omits take the server default.</summary>
    public static ModelPricing FromConfig(string model, JsonElement? pricing, ModelPricing fallback)
    {
        if (pricing is not { ValueKind: JsonValueKind.Object } element)
        {
            return fallback;
        }
        var result = fallback with { };
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDecimal(out var price) || price < 0)
            {
                throw new InvalidDataException($"model '{model}': config.json pricing.{property.Name} must be a non-negative number");
            }
            switch (property.Name.ToLowerInvariant())
            {
                case "per_call": result.PerCall = price; break;
                case "per_1000_rows": result.Per1000Rows = price; break;
                case "per_compute_second": result.PerComputeSecond = price; break;
                case "per_1000_input_tokens": result.Per1000InputTokens = price; break;
                case "per_1000_output_tokens": result.Per1000OutputTokens = price; break;
            }
        }
        return result;
    }

    public IEnumerable<ValidationResult> Validate(string name)
    {
        if (PerCall < 0 || Per1000Rows < 0 || PerComputeSecond < 0 || Per1000InputTokens < 0 || Per1000OutputTokens < 0)
        {
            yield return new ValidationResult($"{name} prices must not be negative.");
        }
    }
}
