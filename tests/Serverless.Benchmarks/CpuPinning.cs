using System.Diagnostics;
using System.Globalization;

namespace Serverless.Benchmarks;

/// <summary>
/// The server on one CPU and the load generator on another (Linux <c>taskset</c>), for the one-client rows: there the
/// server's work is one request at a time, and on a small machine the load generator's threads otherwise land on the
/// server's core between its steps. Measured on the shared 2-core VM (iris-mlp, metering on / off, 20 alternated 3 s
/// rounds, back to back): p50 on / off quartiles 1.07-1.24 unpinned, 1.08-1.12 pinned; server CPU a request 110 us
/// unpinned, 77 pinned. It does not cure the host's own swings: half an hour later, pinned, 1.13-1.68.
/// </summary>
/// <remarks>
/// A pinned server sees one core (<see cref="Environment.ProcessorCount"/> follows the affinity mask), so these rows
/// are a one-core instance's. Rows with many clients are not pinned: there the server needs every core.
/// </remarks>
public sealed record CpuPinning(int ServerCpu, int LoadCpu)
{
    private const string Taskset = "/usr/bin/taskset";

    /// <summary>The two CPUs when this process may use at least two and <c>taskset</c> is there; else null and why.</summary>
    public static CpuPinning? TryCreate(out string? whyNot)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Taskset))
        {
            whyNot = $"no {Taskset} (Linux's util-linux) on this machine";
            return null;
        }
        using var self = Process.GetCurrentProcess();
        var mask = (long)self.ProcessorAffinity;
        var cpus = Enumerable.Range(0, 64).Where(cpu => (mask & (1L << cpu)) != 0).ToList();
        if (cpus.Count < 2)
        {
            whyNot = "this process may use only one CPU";
            return null;
        }
        whyNot = null;
        // The server on the last CPU: interrupts and the first CPU's housekeeping tend to land on CPU 0.
        return new CpuPinning(cpus[^1], cpus[0]);
    }

    /// <summary>What starts <c>dotnet</c> on <paramref name="cpu"/> only, or on any CPU when null; the caller adds the arguments.</summary>
    public static ProcessStartInfo Dotnet(int? cpu)
    {
        if (cpu is not { } only)
        {
            return new ProcessStartInfo("dotnet");
        }
        var info = new ProcessStartInfo(Taskset);
        // Set before exec, so every thread the runtime and ONNX Runtime create inherits it.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(only.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("dotnet");
        return info;
    }

    public override string ToString() => $"server alone on CPU {ServerCpu}, load generator on CPU {LoadCpu}";
}
