using System.Text;

namespace Serverless.Benchmarks;

/// <summary>
/// Load on throwaway servers before anything is measured. The JIT's tiering (with dynamic PGO) needs seconds of a
/// path's traffic to reach its final code, and on 2 busy cores its background compiles are starved: without this the
/// first server measured in a run came out at about half the speed of the same server measured later.
/// </summary>
public static class ProcessWarmup
{
    public static async Task RunAsync(string samples, byte[] irisRow)
    {
        var each = TimeSpan.FromSeconds(2);
        await using (var floor = await HttpFloor.StartAsync())
        {
            await HttpLoad.RunAsync(floor.Address, HttpFloor.Path, irisRow, 32, each);
        }
        using var heavy = new HeavyModelRepository(256, maxBatch: 32, maxQueueDelayUs: 2000);
        var heavyRow = BatchingBenchmark.Row();
        foreach (var metering in new[] { "true", "false" })
        {
            await using var server = await BenchmarkServer.StartAsync($"--Models:Repository={samples}", $"--Metering:Enabled={metering}");
            await HttpLoad.RunAsync(server.Address, "/v2/models/iris-mlp/infer", irisRow, 32, each);
            await using var heavyServer = await BenchmarkServer.StartAsync($"--Models:Repository={heavy.Root}", $"--Metering:Enabled={metering}", "--Inference:CacheOptimizedModels=false");
            await HttpLoad.RunAsync(heavyServer.Address, $"/v2/models/{HeavyModelRepository.Batched}/infer", heavyRow, 32, each);
            await HttpLoad.RunAsync(heavyServer.Address, $"/v2/models/{HeavyModelRepository.Unbatched}/infer", heavyRow, 32, each);
        }
    }
}
