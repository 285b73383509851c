using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Metering;

/// <summary>A caller's limits: a token bucket (rate and burst) and a monthly quota; 0 means unlimited.</summary>
public sealed record CallerPlan
{
    public const string CallsUnit = "calls";
    public const string RowsUnit = "rows";

    /// <summary>Sustained calls per second; fractions allowed (0.5 is one call every two seconds).</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>Calls allowed at once on a full bucket; 0 means max(1, RequestsPerSecond).</summary>
    public int Burst { get; set; }

    /// <summary>Billed calls (or rows, see <see cref="QuotaUnit"/>) per calendar month (UTC).</summary>
    public long MonthlyQuota { get; set; }

    /// <summary><c>calls</c> or <c>rows</c>.</summary>
    public string QuotaUnit { get; set; } = CallsUnit;

    public static CallerPlan Unlimited { get; } = new();

    public bool CountsRows => string.Equals(QuotaUnit, RowsUnit, StringComparison.OrdinalIgnoreCase);

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
        if (!string.Equals(QuotaUnit, CallsUnit, StringComparison.OrdinalIgnoreCase) && !CountsRows)
        {
            yield return new ValidationResult($"{name}:QuotaUnit must be calls or rows, not '{QuotaUnit}'.");
        }
    }
}
