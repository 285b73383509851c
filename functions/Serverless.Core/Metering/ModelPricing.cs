using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Serverless.Core.Metering;

/// <summary>What a billed call costs: a price per call, per 1,000 rows and per second of compute.</summary>
public sealed record ModelPricing
{
    public decimal PerCall { get; set; }

    public decimal Per1000Rows { get; set; }

    public decimal PerComputeSecond { get; set; }

    /// <summary>Rounded to 12 decimal places, trailing zeros dropped (0.0115, not 0.0115000) so exports read cleanly.</summary>
    public decimal CostOf(long rows, double computeSeconds) =>
        Math.Round(PerCall + Per1000Rows * rows / 1000m + PerComputeSecond * (decimal)computeSeconds, 12) / 1.000000000000000000000000000000000m;

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
            }
        }
        return result;
    }

    public IEnumerable<ValidationResult> Validate(string name)
    {
        if (PerCall < 0 || Per1000Rows < 0 || PerComputeSecond < 0)
        {
            yield return new ValidationResult($"{name} prices must not be negative.");
        }
    }
}
