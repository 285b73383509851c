using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Benchmarks;

/// <summary>The baseline: ONNX Runtime's own Run on a preallocated input, no server in between.</summary>
public static class RawOnnxBenchmark
{
    public static LatencyRecorder Run(string modelPath, string inputName, int width, int batch, TimeSpan duration) =>
        Run(modelPath, inputName, width, batch, duration, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL }, new LatencyRecorder(), start: null);

    /// <summary>
    /// <paramref name="sessions"/> sessions of one intra-op thread each, running side by side on their own threads:
    /// on a CPU this is often faster than one session spreading each Run over every core, so it is the baseline for
    /// a model served with that many instances.
    /// </summary>
    public static LatencyRecorder RunParallel(string modelPath, string inputName, int width, int batch, int sessions, TimeSpan duration) =>
        RunParallel(modelPath, inputName, width, batch, sessions, duration,
            () => new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 });

    /// <summary>As above, each session opened with the options <paramref name="options"/> makes.</summary>
    public static LatencyRecorder RunParallel(string modelPath, string inputName, int width, int batch, int sessions, TimeSpan duration, Func<SessionOptions> options)
    {
        var recorder = new LatencyRecorder();
        // Every session is open and warm before any starts counting, so the window is the same for all of them.
        using var start = new Barrier(sessions);
        var threads = Enumerable.Range(0, sessions).Select(_ => new Thread(() => Run(modelPath, inputName, width, batch, duration,
            options(), recorder, start))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return recorder;
    }

    internal static LatencyRecorder Run(string modelPath, string inputName, int width, int batch, TimeSpan duration, SessionOptions options, LatencyRecorder recorder, Barrier? start)
    {
        using var _ = options;
        using var session = new InferenceSession(modelPath, options);
        var data = new float[batch * width];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (i % 7) * 0.5f;
        }
        using var input = OrtValue.CreateTensorValueFromMemory(data, [batch, width]);
        using var runOptions = new RunOptions();
        var outputNames = session.OutputNames;
        for (var i = 0; i < 20; i++)
        {
            using var warm = session.Run(runOptions, [inputName], [input], outputNames);
        }
        start?.SignalAndWait();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var t = Stopwatch.GetTimestamp();
            using var outputs = session.Run(runOptions, [inputName], [input], outputNames);
            recorder.Record(t);
        }
        recorder.Elapsed = Stopwatch.GetElapsedTime(started);
        recorder.ProcessCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return recorder;
    }
}
