using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Core.Jobs;
using Serverless.Core.Metering;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary><c>DELETE /jobs/{id}</c> in embedded mode, one worker on the in-process queue so the order of messages is known.</summary>
public sealed class JobCancellationTests
{
    [Fact]
    public async Task DeleteJob_WhileAShardIsInFlight_SettlesCancelledSkipsTheRestAndBillsOnlyScoredRows()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Jobs:ShardBytes", "4096"), ("Jobs:BatchSize", "1"));
        await File.WriteAllTextAsync(Path.Combine(host.DataDirectory, "jobs", "iris.jsonl"), IrisRows.Jsonl(200));
        var inFlight = new TaskCompletionSource();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.GetRequiredService<JobMessageHandler>().AfterShardCommitted = async shard =>
        {
            if (shard is { JobId: "cancelled", Shard: 0 })
            {
                inFlight.TrySetResult();
                await release.Task;
            }
        };
        await host.Client.PostAsJsonAsync("/jobs", new { id = "cancelled", model = "iris-mlp", input = "iris.jsonl", output = "out/cancelled" });
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(60));

        using var cancel = await host.Client.DeleteAsync("/jobs/cancelled");
        using var again = await host.Client.DeleteAsync("/jobs/cancelled");
        release.SetResult();

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        // One worker takes messages in order: once a later job has finished, every shard message of the cancelled one was handled.
        await host.Client.PostAsJsonAsync("/jobs", new { id = "later", model = "iris-mlp", input = "iris.jsonl", output = "out/later" });
        Assert.Equal("succeeded", (await JobPolling.WaitForFinishAsync(host.Client, "later")).GetProperty("state").GetString());
        var status = await JobPolling.GetStatusAsync(host.Client, "cancelled");
        Assert.Equal("cancelled", status.GetProperty("state").GetString());
        var shards = status.GetProperty("shards");
        Assert.True(shards.GetProperty("total").GetInt32() > 2);
        Assert.Equal((1, 0), (shards.GetProperty("done").GetInt32(), shards.GetProperty("poisoned").GetInt32()));
        var scored = status.GetProperty("rows").GetProperty("scored").GetInt64();
        Assert.InRange(scored, 1, 199);
        Assert.False(File.Exists(Path.Combine(host.DataDirectory, "jobs", "out", "cancelled", "part-00001.jsonl")));
        var billed = new List<UsageRecord>();
        await foreach (var record in host.GetRequiredService<IUsageStore>().ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), Model: "iris-mlp")))
        {
            if (record.RequestId.StartsWith("cancelled/", StringComparison.Ordinal))
            {
                billed.Add(record);
            }
        }
        Assert.Equal(scored, Assert.Single(billed).Rows);
    }

    [Fact]
    public async Task DeleteJob_Unknown_Returns404LikeGet()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));

        using var response = await host.Client.DeleteAsync("/jobs/no-such-job");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("job 'no-such-job' not found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }
}
