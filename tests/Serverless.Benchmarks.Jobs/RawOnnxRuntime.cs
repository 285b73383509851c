using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Benchmarks.Jobs;

/// <summary>
/// The ceiling: ONNX Runtime's own Run over rows already in memory as one float buffer, batch after batch, with the
/// session options the server uses. No parsing, no formatting, no I/O.
/// </summary>
public static class RawOnnxRuntime
{
    public static double RowsPerSecond(string modelPath, float[] features, int rows, int batchSize)
    {
        // The settings the app opens the model with (config.json intra_op_threads 1).
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(modelPath, options);
        using var runOptions = new RunOptions();
        string[] inputNames = ["features"];
        var outputNames = session.OutputMetadata.Keys.ToArray();
        Score(session, runOptions, inputNames, outputNames, features, Math.Min(rows, 10 * batchSize), batchSize);
        var started = Stopwatch.GetTimestamp();
        Score(session, runOptions, inputNames, outputNames, features, rows, batchSize);
        return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static void Score(InferenceSession session, RunOptions runOptions, string[] inputNames, string[] outputNames, float[] features, int rows, int batchSize)
    {
        for (var first = 0; first < rows; first += batchSize)
        {
            var count = Math.Min(batchSize, rows - first);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, features.AsMemory(first * 4, count * 4), [count, 4]);
            using var outputs = session.Run(runOptions, inputNames, [input], outputNames);
        }
    }
}
