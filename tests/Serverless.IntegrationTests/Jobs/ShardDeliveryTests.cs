using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Core.Jobs;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>
/// At-least-once delivery: many shards over two instances, duplicate messages, a crash between writing a shard's output
/// and counting it. The Functions-host cases invoke the ScoreShard function the way the host's queue extension does.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShardDeliveryTests(AzuriteFixture azurite)
{
    private const int Rows = 300;

    [Fact]
    public async Task MultiShardJob_TwoListenersAtOnce_EveryRowExactlyOnce()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.jsonl", IrisRows.Jsonl(1500));
        var settings = space.Settings(("Jobs:ShardBytes", "4096"), ("Jobs:BatchSize", "2"));
        await using var first = await ServerlessHost.StartAsync(settings);
        await using var second = await ServerlessHost.StartAsync(settings);

        var submitted = await first.Client.PostAsJsonAsync("/jobs", new { id = "two-listeners", model = "iris-mlp", input = space.Url("in/iris.jsonl"), output = space.Url("out/many") });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(second.Client, "two-listeners");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var shards = status.GetProperty("shards");
        Assert.True(shards.GetProperty("total").GetInt32() > 10);
        Assert.Equal(shards.GetProperty("total").GetInt32(), shards.GetProperty("done").GetInt32());
        Assert.Equal(1500, status.GetProperty("rows").GetProperty("scored").GetInt64());
        await AssertEveryRowOnceAsync(space, "out/many", 1500);
    }

    [Fact]
    public async Task ScoreShard_EveryShardDeliveredTwice_NoDuplicateRowsAndExactCounts()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.jsonl", IrisRows.Jsonl(Rows));
        await using var host = await StartUnderFunctionsHostAsync(space);
        var driver = new FunctionsHostDriver(host.Services, space.QueueClient());

        await SubmitAsync(host, new { id = "twice", model = "iris-mlp", input = space.Url("in/iris.jsonl"), output = space.Url("out/twice") });
        var planned = await PlanAsync(driver);
        foreach (var shard in planned)
        {
            await AssertCompletesAsync(driver.InvokeAsync(shard));
            await AssertCompletesAsync(driver.InvokeAsync(shard));
        }
        // And once more after the job finished: a late duplicate changes nothing.
        await AssertCompletesAsync(driver.InvokeAsync(planned[0]));

        var status = await JobPolling.WaitForFinishAsync(host.Client, "twice");
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal(Rows, status.GetProperty("rows").GetProperty("scored").GetInt64());
        Assert.Equal(planned.Count, status.GetProperty("shards").GetProperty("done").GetInt32());
        await AssertEveryRowOnceAsync(space, "out/twice", Rows);
    }

    [Fact]
    public async Task ScoreShard_CrashAfterOutputCommitted_RedeliveryCompletesJobWithExactCounts()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.jsonl", IrisRows.Jsonl(Rows));
        await using var host = await StartUnderFunctionsHostAsync(space);
        var driver = new FunctionsHostDriver(host.Services, space.QueueClient());
        var crashes = 0;
        host.GetRequiredService<JobMessageHandler>().AfterShardCommitted = shard =>
            shard.Shard == 1 && Interlocked.Increment(ref crashes) == 1 ? throw new IOException("instance lost after writing its part") : Task.CompletedTask;

        await SubmitAsync(host, new { id = "crash", model = "iris-mlp", input = space.Url("in/iris.jsonl"), output = space.Url("out/crash") });
        var planned = await PlanAsync(driver);
        var outcomes = new List<Exception?>();
        foreach (var shard in planned)
        {
            outcomes.Add(await driver.InvokeAsync(shard));
        }
        Assert.IsType<IOException>(outcomes[1]);
        Assert.True(await space.ExistsAsync("out/crash/part-00001.jsonl"));
        var before = await JobPolling.GetStatusAsync(host.Client, "crash");
        Assert.Equal("running", before.GetProperty("state").GetString());

        // The host redelivers the failed message.
        await AssertCompletesAsync(driver.InvokeAsync(planned[1], dequeueCount: 2));

        var status = await JobPolling.WaitForFinishAsync(host.Client, "crash");
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal(Rows, status.GetProperty("rows").GetProperty("scored").GetInt64());
        await AssertEveryRowOnceAsync(space, "out/crash", Rows);
    }

    /// <summary>An app that leaves the queue to the test, as it leaves it to the Functions host's queue extension under the host.</summary>
    private static Task<ServerlessHost> StartUnderFunctionsHostAsync(AzuriteJobSpace space) =>
        ServerlessHost.StartAsync(space.Settings(("Jobs:Listen", "false"), ("Jobs:ShardBytes", "4096")));

    private static async Task AssertCompletesAsync(Task<Exception?> invocation)
    {
        var failure = await invocation;
        Assert.True(failure is null, $"the invocation failed: {failure}");
    }

    private static async Task SubmitAsync(ServerlessHost host, object job)
    {
        var response = await host.Client.PostAsJsonAsync("/jobs", job);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Delivers the job message, returns the shard messages planning put on the queue.</summary>
    private static async Task<List<Azure.Storage.Queues.Models.QueueMessage>> PlanAsync(FunctionsHostDriver driver)
    {
        var job = (await driver.ReceiveAllAsync(1)).Single();
        await AssertCompletesAsync(driver.InvokeAsync(job));
        await driver.CompleteAsync(job);
        var expectedShards = (int)Math.Ceiling(IrisRows.Jsonl(Rows).Length / 4096.0);
        var shards = await driver.ReceiveAllAsync(expectedShards);
        return shards.OrderBy(m => JsonDocument.Parse(m.Body.ToString()).RootElement.GetProperty("shard").GetInt32()).ToList();
    }

    /// <summary>Every input row appears once across the parts, numbered by the manifest's first_row + row.</summary>
    private static async Task AssertEveryRowOnceAsync(AzuriteJobSpace space, string output, int rows)
    {
        using var manifest = JsonDocument.Parse(await space.DownloadAsync($"{output}/_manifest.json"));
        var seen = new List<long>();
        var ids = new List<string>();
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var firstRow = part.GetProperty("first_row").GetInt64();
            var partRows = JobOutputRows.Jsonl(await space.DownloadAsync($"{output}/{part.GetProperty("name").GetString()}"));
            Assert.Equal(part.GetProperty("rows_scored").GetInt64(), partRows.Count);
            foreach (var row in partRows)
            {
                seen.Add(firstRow + row.GetProperty("row").GetInt64());
                ids.Add(row.GetProperty("id").GetString()!);
            }
        }
        Assert.Equal(Enumerable.Range(0, rows).Select(r => (long)r), seen.Order());
        Assert.Equal(Enumerable.Range(0, rows).Select(r => $"r{r}"), ids);
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal($"r{seen[i]}", ids[i]);
        }
        Assert.Equal(rows, manifest.RootElement.GetProperty("rows_scored").GetInt64());
    }
}
