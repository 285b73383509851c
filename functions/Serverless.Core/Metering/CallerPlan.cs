using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Serverless.Core.Metering;

/// <summary>A caller's limits: a token bucket (rate and burst) and a monthly quota; 0 means unlimited.</summary>
public sealed record CallerPlan
{
    public const string CallsUnit = "calls";
    public const string RowsUnit = "rows";
    public const string TokensUnit = "tokens";

    /// <summary>Sustained calls per second; fractions allowed (0.5 is one call every two seconds).</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>Calls allowed at once on a full bucket; 0 means max(1, RequestsPerSecond).</summary>
    public int Burst { get; set; }

    /// <summary>Billed calls (or rows, or tokens, see <see cref="QuotaUnit"/>) per calendar month (UTC).</summary>
    public long MonthlyQuota { get; set; }

    /// <summary><c>calls</c>, <c>rows</c> or <c>tokens</c> (input plus output tokens of text calls): <see cref="QuotaMeasure"/>.</summary>
    public string QuotaUnit { get; set; } = CallsUnit;

    public static CallerPlan Unlimited { get; } = new();

    /// <summary>What <see cref="QuotaUnit"/> names; calls for a unit validation would refuse. Not part of a stored plan.</summary>
    [JsonIgnore]
    public QuotaMeasure Measure => QuotaUnit?.ToLowerInvariant() switch
    {
        RowsUnit => QuotaMeasure.Rows,
        TokensUnit => QuotaMeasure.Tokens,
        _ => QuotaMeasure.Calls,
    };

    public IEnumerable<ValidationResult> Validate(string name)
    {
        if (!double.IsFinite(RequestsPerSecond) || RequestsPerSecond < 0)
        {
            yield return new ValidationResult($"{name}:RequestsPerSecond must be 0 (unlimited) or positive, not {RequestsPerSecond}.");
        }
        if (Burst < 0)
        {
            yield return new ValidationResult($"{name}:Burst must be 0 or positive, not {Burst}.");
        }
        if (MonthlyQuota < 0)
        {
            yield return new ValidationResult($"{name}:MonthlyQuota must be 0 (unlimited) or positive, not {MonthlyQuota}.");
        }
        if (QuotaUnit?.ToLowerInvariant() is not (CallsUnit or RowsUnit or TokensUnit))
        {
            yield return new ValidationResult($"{name}:QuotaUnit must be calls, rows or tokens, not '{QuotaUnit}'.");
        }
    }
}
