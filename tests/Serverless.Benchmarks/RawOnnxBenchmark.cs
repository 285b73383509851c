using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Benchmarks;

/// <summary>The baseline: ONNX Runtime's own Run on a preallocated input, no server in between.</summary>
public static class RawOnnxBenchmark
{
    public static LatencyRecorder Run(string modelPath, string inputName, int width, int batch, TimeSpan duration)
    {
        using var session = new InferenceSession(modelPath, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        var data = new float[batch * width];
        new Random(1).NextBytes(new byte[1]);
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
        var recorder = new LatencyRecorder();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var t = Stopwatch.GetTimestamp();
            using var outputs = session.Run(runOptions, [inputName], [input], outputNames);
            recorder.Record(t);
        }
        recorder.Elapsed = Stopwatch.GetElapsedTime(started);
        return recorder;
    }
}
