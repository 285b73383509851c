using System.Globalization;

namespace Serverless.Benchmarks;

/// <summary>
/// The CPU time of a process's tiered-compilation thread (Linux, from /proc), to warm a server until its JIT has
/// settled: on the loaded 2-core machine the heavy MLP's server was still recompiling hot methods at tier 1 twenty
/// seconds into its load, and that thread took ~10-200 us per row of a window that began after a fixed warm-up
/// (RESULTS.md, issue 26).
/// </summary>
public static class TieredJit
{
    private const string ThreadName = ".NET Tiered Com";

    /// <summary>Clock ticks (1/100 s) the thread has used, or null where /proc cannot tell.</summary>
    public static long? CpuTicks(int pid)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() != ThreadName)
                {
                    continue;
                }
                // The fields after "(comm) ": state is the first, utime the 12th, stime the 13th.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>Load average over the last minute, for the report beside every number; NaN where unknown.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
