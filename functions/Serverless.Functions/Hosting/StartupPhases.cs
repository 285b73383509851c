using System.Diagnostics;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Where a cold start's time goes before the first request can be served, counted from the process's start as the OS
/// recorded it: runtime start (process start → Main), host build (Main → host built), host start (host built →
/// listening). Logged once, at Information, when the server listens: operators see what a scale-from-zero instance
/// paid, and the outside benchmark reads the line (tests/Serverless.Benchmarks/ColdStartPhases.cs).
/// </summary>
public sealed class StartupPhases
{
    private readonly long _mainEntered = Stopwatch.GetTimestamp();
    private long _hostBuilt;

    private StartupPhases()
    {
    }

    /// <summary>Call first thing in Main: only a timestamp is taken, nothing is loaded.</summary>
    public static StartupPhases MainEntered() => new();

    public void HostBuilt() => _hostBuilt = Stopwatch.GetTimestamp();

    /// <summary>Logs the phases once the host has started (Kestrel listens before ApplicationStarted fires).</summary>
    public void ReportWhenStarted(IServiceProvider services)
    {
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var logger = services.GetRequiredService<ILogger<StartupPhases>>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var listening = Stopwatch.GetTimestamp();
            var runtimeStart = RuntimeStart(Stopwatch.GetElapsedTime(_mainEntered));
            logger.LogInformation(
                "Started {ListeningMs:F0} ms after the process: runtime start {RuntimeMs:F0} ms, host build {HostBuildMs:F0} ms, host start {HostStartMs:F0} ms",
                (runtimeStart + Stopwatch.GetElapsedTime(_mainEntered, listening)).TotalMilliseconds, runtimeStart.TotalMilliseconds,
                Stopwatch.GetElapsedTime(_mainEntered, _hostBuilt).TotalMilliseconds, Stopwatch.GetElapsedTime(_hostBuilt, listening).TotalMilliseconds);
        });
    }

    /// <summary>
    /// Process start → Main, worked out after the fact so reading the process's start time (System.Diagnostics.Process,
    /// /proc) is not on the way to listening.
    /// </summary>
    /// <remarks>NOTE: Linux records a process's start in clock ticks (10 ms), so this phase is good to about ±10 ms.</remarks>
    private static TimeSpan RuntimeStart(TimeSpan sinceMain)
    {
        using var self = Process.GetCurrentProcess();
        return DateTime.Now - sinceMain - self.StartTime;
    }
}
