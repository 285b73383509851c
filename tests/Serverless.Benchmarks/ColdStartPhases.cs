using System.Globalization;
using System.Text.RegularExpressions;

namespace Serverless.Benchmarks;

/// <summary>
/// A server's own account of its start-up, from the line it logs once it listens (the app's
/// <c>Hosting/StartupPhases</c>, the bare app's copy of it): process start → Main (runtime start), Main → host built,
/// host built → listening. The bare app reports only runtime start and listening.
/// </summary>
public sealed partial record ColdStartPhases(double ListeningMs, double RuntimeMs, double HostBuildMs, double HostStartMs)
{
    /// <summary>Passed to the app so the phases line is logged although the benchmark sets Logging default Warning.</summary>
    public const string AppLogLevelArgument = "--Logging:LogLevel:Serverless.Functions.Hosting.StartupPhases=Information";

    public static bool IsPhasesLine(string line) => Line().IsMatch(line);

    public static ColdStartPhases Parse(string line)
    {
        var match = Line().Match(line);
        if (!match.Success)
        {
            throw new FormatException($"not a start-up phases line: {line}");
        }
        return new ColdStartPhases(Ms(match, "listening"), Ms(match, "runtime"), Ms(match, "build"), Ms(match, "start"));
    }

    /// <summary>
    /// The server's phases line (logged when it listens, so present by its first answer); all NaN for a build that
    /// does not log one (e.g. --app pointing at an older publish, to compare).
    /// </summary>
    public static async Task<ColdStartPhases> ReadAsync(OutsideProcess server) =>
        await server.WaitForOutputAsync(IsPhasesLine, TimeSpan.FromSeconds(2)) is { } line ? Parse(line) : new(double.NaN, double.NaN, double.NaN, double.NaN);

    private static double Ms(Match match, string group) =>
        match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : double.NaN;

    [GeneratedRegex(@"Started (?<listening>\d+) ms after the process: runtime start (?<runtime>-?\d+) ms(, host build (?<build>\d+) ms, host start (?<start>\d+) ms)?")]
    private static partial Regex Line();
}
