using System.Globalization;
using System.Text;

namespace Serverless.Benchmarks;

/// <summary>
/// Dynamic batching on a generated MLP: 32 clients sending single rows, against raw ONNX Runtime Run on batches of 32
/// in the same process, and against the same server with batching off; as shipped (metering on) and without metering.
/// Batching runs in two configurations: one instance whose Runs use every core, and two single-threaded instances
/// (with their own raw baseline: two sessions of one thread running batches of 16 side by side).
/// </summary>
public static class BatchingBenchmark
{
    /// <summary>Rows inferred and Runs executed so far for the batched model (the statistics extension's counts).</summary>
    private static async Task<(long Rows, long Runs)> RunsAsync(Uri server, string modelName)
    {
        using var client = new HttpClient { BaseAddress = server };
        using var stats = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/v2/models/{modelName}/stats"));
        var models = stats.RootElement.GetProperty("model_stats");
        if (models.GetArrayLength() == 0)
        {
            return (0, 0); // not loaded yet
        }
        var model = models[0];
        return (model.GetProperty("inference_count").GetInt64(), model.GetProperty("execution_count").GetInt64());
    }

    /// <summary>One row of the generated MLPs' input as a JSON request.</summary>
    public static byte[] Row() => Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"features\",\"shape\":[1,256],\"datatype\":\"FP32\",\"data\":["
        + string.Join(",", Enumerable.Range(0, HeavyModelRepository.InputWidth).Select(i => (i % 13 * 0.1).ToString(CultureInfo.InvariantCulture))) + "]}]}");

    /// <summary>
    /// The same row with Triton's binary tensor extension, asking for the output in binary too: what Triton's own
    /// Python and C++ HTTP clients send by default (<c>binary_data=True</c>), so no float is printed or parsed.
    /// </summary>
    public static byte[] BinaryRow(out int headerLength)
    {
        var header = Encoding.UTF8.GetBytes($$$"""{"inputs":[{"name":"{{{Serverless.SampleModels.Onnx.MlpModel.InputName}}}","shape":[1,{{{HeavyModelRepository.InputWidth}}}],"datatype":"FP32","parameters":{"binary_data_size":{{{HeavyModelRepository.InputWidth * 4}}}}}],"outputs":[{"name":"{{{Serverless.SampleModels.Onnx.MlpModel.OutputName}}}","parameters":{"binary_data":true}}]}""");
        headerLength = header.Length;
        var values = Enumerable.Range(0, HeavyModelRepository.InputWidth).Select(i => i % 13 * 0.1f).ToArray();
        return [.. header, .. System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())];
    }

    public static async Task RunAsync(BenchmarkReport report, string name, int hiddenWidth, TimeSpan duration)
    {
        // A request may wait 5 ms for company: with metering on, answers leave the ledger a little apart and the next
        // 32 requests arrive spread over 2-3 ms, so at 2 ms the 3x4096 model ran 16.6 rows per Run against 30.9 at 5 ms
        // (metering off: 27.4 and 31.7). Set it relative to the model's Run time, as with Triton's max_queue_delay.
        using var heavy = new HeavyModelRepository(hiddenWidth, maxBatch: 32, maxQueueDelayUs: 5000);
        var raw = RawOnnxBenchmark.Run(heavy.ModelPath, "features", HeavyModelRepository.InputWidth, 32, duration);
        var rawRows = raw.PerSecond * 32;
        report.Add($"raw ORT Run, {name}, batch 32 (rows)", rawRows, raw.Percentile(50), raw.Percentile(99), 1, "raw batch-32 rows/s");
        var rawParallel = RawOnnxBenchmark.RunParallel(heavy.ModelPath, "features", HeavyModelRepository.InputWidth, 16, sessions: 2, duration);
        var rawParallelRows = rawParallel.PerSecond * 16;
        report.Add($"raw ORT Run, {name}, 2 sessions x 1 thread, batch 16 (rows)", rawParallelRows, rawParallel.Percentile(50), rawParallel.Percentile(99),
            rawParallelRows / rawRows, "raw batch-32 rows/s");
        var row = Row();
        foreach (var (label, settings) in new[] { ("", Array.Empty<string>()), (", metering off", ["--Metering:Enabled=false"]) })
        {
            // No optimized-graph save: for the 200 MB model it is seconds of background optimisation, which would land in
            // the measured window; the cold-start rows measure that cache.
            await using var server = await BenchmarkServer.StartAsync([$"--Models:Repository={heavy.Root}", "--Inference:CacheOptimizedModels=false", .. settings]);
            var unbatched = await HttpLoad.RunAsync(server.Address, $"/v2/models/{HeavyModelRepository.Unbatched}/infer", row, 32, duration);
            report.Add(unbatched, $"HTTP {name}, 32 clients, batching off{label}", rawRows, "raw batch-32 rows/s");
            foreach (var (model, instances, maxRows) in new[] { (HeavyModelRepository.Batched, "", 32), (HeavyModelRepository.Parallel, ", 2 instances x 1 thread", 16) })
            {
                var before = await RunsAsync(server.Address, model);
                var batched = await HttpLoad.RunAsync(server.Address, $"/v2/models/{model}/infer", row, 32, duration);
                var after = await RunsAsync(server.Address, model);
                report.Add(batched, $"HTTP {name}, 32 clients, batching on{instances}{label}", rawRows, "raw batch-32 rows/s (target >= 0.8)");
                if (model == HeavyModelRepository.Parallel)
                {
                    report.Add(batched, "  same, against its own raw baseline", rawParallelRows, "raw 2 x 1-thread batch-16 rows/s");
                }
                report.Add($"  rows per Run{instances}{label}", double.NaN, double.NaN, double.NaN,
                    (after.Rows - before.Rows) / (double)Math.Max(1, after.Runs - before.Runs), $"rows per merged Run (max {maxRows})");
                report.Add($"  batching on{instances} / off{label}", batched.PerSecond, double.NaN, batched.Percentile(99) / batched.Percentile(50),
                    batched.PerSecond / unbatched.PerSecond, "on/off, target >= 3 (p99 column: p99/p50 on, target <= 2.5)");
            }
        }
    }
}
