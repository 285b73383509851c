using System.Globalization;

namespace Serverless.Benchmarks;

/// <summary>
/// What a row of repeated rounds reports: the median of the rounds, their spread (lowest-highest), and each round's
/// measured / baseline ratio, so a ratio is taken between windows measured next to each other.
/// </summary>
public static class RoundStatistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Spread(IEnumerable<double> values, string format)
    {
        var list = values.ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{list.Min().ToString(format, CultureInfo.InvariantCulture)}-{list.Max().ToString(format, CultureInfo.InvariantCulture)}");
    }

    public static List<double> Paired(IReadOnlyList<double> measured, IReadOnlyList<double> baseline) => measured.Zip(baseline, (m, b) => m / b).ToList();

    /// <summary>The spread of the rounds' paired ratios, as the ratio column gives it.</summary>
    public static string PairedRounds(IReadOnlyList<double> measured, IReadOnlyList<double> baseline) =>
        $"paired rounds {Spread(Paired(measured, baseline), "F2")}";
}
