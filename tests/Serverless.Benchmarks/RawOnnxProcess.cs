using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Benchmarks;

/// <summary>
/// The raw ONNX Runtime baselines as a process of their own (this program started with <c>raw</c> or <c>open</c>),
/// with the server's default thread settings: ONNX Runtime's own intra-op thread count, spinning off
/// (<c>Inference:IntraOpThreads</c> 0, <c>Inference:IntraOpSpinning</c> false).
/// </summary>
public static class RawOnnxProcess
{
    /// <summary><c>raw MODEL WIDTH BATCH SECONDS</c>: Runs a second a batch, p50/p99 ms.</summary>
    public static int Run(string[] args)
    {
        var (model, width, batch, seconds) = (args[0], Int(args[1]), Int(args[2]), double.Parse(args[3], CultureInfo.InvariantCulture));
        // The in-process baseline's loop (it disposes the options), with the server's thread settings.
        var recorder = RawOnnxBenchmark.Run(model, InputName(model), width, batch, TimeSpan.FromSeconds(seconds), ServerLikeOptions(), new LatencyRecorder(), start: null);
        var cpuUsPerRun = recorder.ProcessCpu.TotalMicroseconds / recorder.Count;
        Console.WriteLine(JsonSerializer.Serialize(new { per_second = recorder.PerSecond, p50_ms = recorder.Percentile(50), p99_ms = recorder.Percentile(99), cpu_us_per_run = cpuUsPerRun }));
        return 0;
    }

    /// <summary>
    /// <c>raw-layout MODEL WIDTH BATCH SECONDS INSTANCES THREADS</c>: the server's batching layout without the server,
    /// INSTANCES sessions of THREADS intra-op threads each (spinning off) running batches side by side; the same JSON
    /// as <c>raw</c>, per_second being Runs a second over all instances.
    /// </summary>
    public static int RunLayout(string[] args)
    {
        var (model, width, batch, seconds, instances, threads) = (args[0], Int(args[1]), Int(args[2]), double.Parse(args[3], CultureInfo.InvariantCulture), Int(args[4]), Int(args[5]));
        var recorder = RawOnnxBenchmark.RunParallel(model, InputName(model), width, batch, instances, TimeSpan.FromSeconds(seconds), () =>
        {
            var options = ServerLikeOptions();
            options.IntraOpNumThreads = threads;
            return options;
        });
        var cpuUsPerRun = recorder.ProcessCpu.TotalMicroseconds / recorder.Count;
        Console.WriteLine(JsonSerializer.Serialize(new { per_second = recorder.PerSecond, p50_ms = recorder.Percentile(50), p99_ms = recorder.Percentile(99), cpu_us_per_run = cpuUsPerRun }));
        return 0;
    }

    /// <summary><c>open MODEL</c>: one session creation from the file, ms (the first in this process, as the server's is).</summary>
    public static int Open(string[] args)
    {
        var t = Stopwatch.GetTimestamp();
        using (var options = ServerLikeOptions())
        using (var session = new InferenceSession(args[0], options))
        {
            Console.WriteLine(JsonSerializer.Serialize(new { open_ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds }));
        }
        return 0;
    }

    private static string InputName(string model)
    {
        using var session = new InferenceSession(model);
        return session.InputNames[0];
    }

    private static SessionOptions ServerLikeOptions()
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
