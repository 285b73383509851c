using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;

namespace Serverless.Tests.Jobs;

/// <summary>The batch-job metrics /metrics exports: rows scored and shard durations, by model and outcome.</summary>
public sealed class JobMetricsTests
{
    [Fact]
    public async Task Metrics_AfterAJobOfTwoShards_CountItsRowsAndBothShards()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Jobs:ShardBytes", "4096"));
        var root = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(Path.Combine(root, "in"));
        // The fewest rows past one shard of 4096 bytes: two shards.
        var rows = Enumerable.Range(1, 1000).First(n => IrisRows.Jsonl(n).Length > 4096);
        var input = IrisRows.Jsonl(rows);
        await File.WriteAllTextAsync(Path.Combine(root, "in", "iris.jsonl"), input);

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "metered-job", model = "iris-mlp", input = "in/iris.jsonl", output = "out/iris" });

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "metered-job");
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var text = await MeteredApi.GetTextAsync(host.Client, "/metrics", key: null);
        Assert.Matches(new Regex($"serverless_batch_rows_total\\{{[^}}]*model=\"iris-mlp\"[^}}]*\\}} {rows}\\b"), text);
        Assert.Matches(new Regex("serverless_batch_shard_duration_seconds_count\\{[^}]*model=\"iris-mlp\"[^}]*outcome=\"success\"[^}]*\\} 2\\b"), text);
    }
}
