using System.Globalization;

namespace Serverless.Benchmarks;

/// <summary>
/// The machine's 1-minute load average, printed before each measurement: on a shared machine (builds, other
/// benchmarks) it says how far a row's absolute numbers can be trusted; the ratios are paired round by round.
/// </summary>
public static class MachineLoad
{
    public static double OneMinute()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? double.Parse(File.ReadAllText(path).Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
    }

    /// <summary>Prints the load average before <paramref name="what"/> runs and returns it.</summary>
    public static double Print(string what)
    {
        var load = OneMinute();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [load average {load:F2} on {Environment.ProcessorCount} cores] {what}"));
        return load;
    }
}
