using System.Globalization;

namespace Serverless.Benchmarks;

/// <summary>Prints one row per measurement, each with its ratio to the baseline measured in the same run.</summary>
public sealed class BenchmarkReport
{
    private readonly List<string[]> _rows = [];

    /// <remarks>Each row carries the machine's 1-minute load average when it was added (at the end of its measurement):
    /// on a shared machine a number means little without it.</remarks>
    public void Add(string name, double perSecond, double p50Ms, double p99Ms, double ratio, string ratioMeaning) =>
        _rows.Add([name, F(perSecond), F(p50Ms), F(p99Ms), F(ratio) + "x", ratioMeaning, F(TieredJit.LoadAverage())]);

    /// <summary>A heading row: what the rows below it have in common (how they were measured).</summary>
    public void Section(string title) => _rows.Add([title]);

    public void Add(LatencyRecorder recorder, string name, double baselinePerSecond, string baselineName) =>
        Add(name, recorder.PerSecond, recorder.Percentile(50), recorder.Percentile(99), recorder.PerSecond / baselinePerSecond, "of " + baselineName);

    public void Print()
    {
        string[] header = ["measurement", "per second / value", "p50 ms", "p99 ms", "ratio", "ratio is", "load"];
        var widths = header.Select((h, i) => Math.Max(h.Length, _rows.Where(r => r.Length > 1).Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        Console.WriteLine();
        Console.WriteLine(string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))));
        Console.WriteLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            if (row.Length == 1)
            {
                Console.WriteLine("== " + row[0]);
                continue;
            }
            Console.WriteLine(string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))));
        }
    }

    private static string F(double value) => double.IsNaN(value) ? "-" : value.ToString(value >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);
}
