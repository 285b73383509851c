using System.Globalization;

namespace Serverless.Benchmarks.Metering;

/// <summary>Command-line settings: --seconds, --concurrency, --rounds, --model, --repository, --store (sqlite or a Table storage connection string),
/// --breakdown (adds rows with one piece of metering switched off each).</summary>
public sealed record BenchmarkSettings(int Seconds, int Concurrency, int Rounds, string Model, string Repository, string Store, bool Breakdown = false)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        var values = args.Select(a => a.TrimStart('-').Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchmarkSettings(
            Int("seconds", 10),
            Int("concurrency", 256),
            Int("rounds", 3),
            values.GetValueOrDefault("model", "linear-regressor"),
            values.TryGetValue("repository", out var repository) ? repository : SampleRepository(),
            values.GetValueOrDefault("store", "sqlite"),
            args.Contains("--breakdown"));
    }

    private static string SampleRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }
        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory + "; pass --repository=<models folder>");
    }
}
