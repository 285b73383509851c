using System.Globalization;
using System.Text;

namespace Serverless.Benchmarks;

/// <summary>
/// Dynamic batching on a generated MLP: 32 clients sending single rows, against raw ONNX Runtime Run on batches of 32
/// in the same process, and against the same server with batching off; as shipped (metering on) and without metering.
/// </summary>
public static class BatchingBenchmark
{
    /// <summary>One row of the generated MLPs' input as a JSON request.</summary>
    public static byte[] Row() => Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"features\",\"shape\":[1,256],\"datatype\":\"FP32\",\"data\":["
        + string.Join(",", Enumerable.Range(0, HeavyModelRepository.InputWidth).Select(i => (i % 13 * 0.1).ToString(CultureInfo.InvariantCulture))) + "]}]}");

    public static async Task RunAsync(BenchmarkReport report, string name, int hiddenWidth, TimeSpan duration)
    {
        using var heavy = new HeavyModelRepository(hiddenWidth, maxBatch: 32, maxQueueDelayUs: 2000);
        var raw = RawOnnxBenchmark.Run(heavy.ModelPath, "features", HeavyModelRepository.InputWidth, 32, duration);
        var rawRows = raw.PerSecond * 32;
        report.Add($"raw ORT Run, {name}, batch 32 (rows)", rawRows, raw.Percentile(50), raw.Percentile(99), 1, "raw batch-32 rows/s");
        var row = Row();
        foreach (var (label, settings) in new[] { ("", Array.Empty<string>()), (", metering off", ["--Metering:Enabled=false"]) })
        {
            // No optimized-graph save: for the 200 MB model it is seconds of background optimisation, which would land in
            // the measured window; the cold-start rows measure that cache.
            await using var server = await BenchmarkServer.StartAsync([$"--Models:Repository={heavy.Root}", "--Inference:CacheOptimizedModels=false", .. settings]);
            var batched = await HttpLoad.RunAsync(server.Address, $"/v2/models/{HeavyModelRepository.Batched}/infer", row, 32, duration);
            report.Add(batched, $"HTTP {name}, 32 clients, batching on{label}", rawRows, "raw batch-32 rows/s (target >= 0.8)");
            var unbatched = await HttpLoad.RunAsync(server.Address, $"/v2/models/{HeavyModelRepository.Unbatched}/infer", row, 32, duration);
            report.Add(unbatched, $"HTTP {name}, 32 clients, batching off{label}", rawRows, "raw batch-32 rows/s");
            report.Add($"  batching on / off{label}", batched.PerSecond, double.NaN, batched.Percentile(99) / batched.Percentile(50),
                batched.PerSecond / unbatched.PerSecond, "on/off, target >= 3 (p99 column: p99/p50 on, target <= 2.5)");
        }
    }
}
