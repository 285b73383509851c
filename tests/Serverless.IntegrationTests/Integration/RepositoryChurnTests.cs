using System.Diagnostics;
using System.Net;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary>
/// Load and unload racing on one batched model: whatever the interleaving, every loaded version's batcher threads end
/// with it, so a caller looping the repository API cannot grow the process's threads until it dies.
/// </summary>
public sealed class RepositoryChurnTests
{
    private const int Instances = 8;
    private const int Rounds = 150;

    [Fact]
    public async Task LoadAndUnloadRacing_BatchedModel_LeavesNoBatcherThreadsBehind()
    {
        using var models = new TestModelRepository((TestModelRepository.Echo,
            $$$"""{"max_batch_size": 8, "dynamic_batching": {"max_queue_delay_us": 100, "instance_count": {{{Instances}}}}, "warmup": true}"""));
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", models.Root));
        var load = $"/v2/repository/models/{TestModelRepository.Echo}/load";
        var unload = $"/v2/repository/models/{TestModelRepository.Echo}/unload";
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(load, null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(unload, null)).StatusCode);
        var before = Threads();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Loop(i % 2 == 0 ? load : unload)));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(unload, null)).StatusCode);

        // Each leaked version would keep its 8 worker threads (before the fix: 527 threads where 22 ran before).
        await Eventually.TrueAsync(() => Threads() < before + 4 * Instances, $"the thread count returning near {before} (now {Threads()})");

        async Task Loop(string path)
        {
            for (var i = 0; i < Rounds; i++)
            {
                var response = await host.Client.PostAsync(path, null);
                Assert.True(response.StatusCode is HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static int Threads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}
