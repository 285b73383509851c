using System.Globalization;

namespace Serverless.LoadGenerator;

/// <summary>Another process's CPU time (user + system) from /proc/PID/stat; NaN where there is none.</summary>
public static class ProcessCpu
{
    public static double Seconds(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
        {
            return double.NaN;
        }
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }
}
