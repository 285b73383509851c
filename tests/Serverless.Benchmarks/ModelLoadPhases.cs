using System.Globalization;
using System.Text.RegularExpressions;

namespace Serverless.Benchmarks;

/// <summary>
/// The app's account of one model load, from ModelCache's "Loaded ..." line: fetch (version folder described, or
/// downloaded, and config.json read), session open, warm-up run. Whatever the first request took beyond the load
/// is its own path (codec, metering, the first Run's JIT).
/// </summary>
public sealed partial record ModelLoadPhases(double TotalMs, double FetchMs, double OpenMs, double WarmupMs)
{
    /// <summary>Passed to the app so the line is logged although the benchmark sets Logging default Warning.</summary>
    public const string AppLogLevelArgument = "--Logging:LogLevel:Serverless.Core.Cache.ModelLoader=Information";

    /// <summary>Waits for the load line of <paramref name="model"/> (logged before the request that loaded it is answered).</summary>
    public static async Task<ModelLoadPhases> ReadAsync(OutsideProcess server, string model)
    {
        var line = await server.WaitForOutputAsync(l => Line().Match(l) is { Success: true } m && m.Groups["model"].Value == model, TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException($"the server logged no load line for {model}");
        var match = Line().Match(line);
        return new ModelLoadPhases(Ms(match, "total"), Ms(match, "fetch"), Ms(match, "open"), Ms(match, "warmup"));
    }

    private static double Ms(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Loaded (?<model>\S+) v\d+ on \S+ in (?<total>[\d.]+) ms \(\d+ bytes\): fetch (?<fetch>[\d.]+) ms, open (?<open>[\d.]+) ms, warm-up (?<warmup>[\d.]+) ms")]
    private static partial Regex Line();
}
