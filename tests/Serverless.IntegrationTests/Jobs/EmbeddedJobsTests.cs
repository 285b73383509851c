using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Core.Jobs;
using Serverless.Core.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>Embedded mode: no storage configured, so jobs run on the in-process queue, SQLite and local files.</summary>
public sealed class EmbeddedJobsTests
{
    [Fact]
    public async Task PostJobs_NoStorageConfigured_ScoresLocalFileLikeTheHttpApi()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var root = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(Path.Combine(root, "in"));
        await File.WriteAllTextAsync(Path.Combine(root, "in", "iris.jsonl"), IrisRows.Jsonl(40));

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = "in/iris.jsonl", output = "out/iris", batch_size = 16 });

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var accepted = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/jobs/{id}", submitted.Headers.Location?.OriginalString);
        var status = await JobPolling.WaitForFinishAsync(host.Client, id);
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal(40, status.GetProperty("rows").GetProperty("scored").GetInt64());
        Assert.True(File.Exists(Path.Combine(root, "out", "iris", "_manifest.json")));
        var rows = JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(root, "out", "iris", "part-00000.jsonl")));
        Assert.Equal(40, rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var (probabilities, label) = await HttpReference.InferAsync(host.Client, IrisRows.Features(r));
            Assert.Equal(r, rows[r].GetProperty("row").GetInt64());
            Assert.Equal($"r{r}", rows[r].GetProperty("id").GetString());
            Assert.Equal(probabilities, rows[r].GetProperty("probabilities").EnumerateArray().Select(v => v.GetSingle()).ToArray());
            Assert.Equal(label, rows[r].GetProperty("label").GetInt64());
        }
    }

    [Fact]
    public async Task CsvJob_QuotedFieldWithLineBreak_BothLinesRecordedAsErrorsAndOtherRowsScored()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var root = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(Path.Combine(root, "in"));
        var lines = IrisRows.Csv(4).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        // Row 2's id holds a line break: its two halves are lines 2 and 3 of the data.
        lines[3] = "\"r2 starts here" + "\n" + "and ends here\"," + lines[3][(lines[3].IndexOf(',') + 1)..];
        await File.WriteAllTextAsync(Path.Combine(root, "in", "broken.csv"), string.Join("\n", lines) + "\n");

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "csv-line-break", model = "iris-mlp", input = "in/broken.csv", output = "out/broken", format = "csv", max_error_rate = 0.5 });

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "csv-line-break");
        Assert.Equal("partially_succeeded", status.GetProperty("state").GetString());
        Assert.Equal(3, status.GetProperty("rows").GetProperty("scored").GetInt64());
        var errors = JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(root, "out", "broken", "_errors.jsonl")));
        Assert.Equal([2L, 3L], errors.Select(e => e.GetProperty("row").GetInt64()));
        Assert.Contains("line breaks inside quotes are not supported", errors[0].GetProperty("reason").GetString());
        Assert.Contains("quote inside an unquoted field", errors[1].GetProperty("reason").GetString());
        var scored = JobOutputRows.Csv(await File.ReadAllTextAsync(Path.Combine(root, "out", "broken", "part-00000.csv")));
        Assert.Equal(["r0", "r1", "r3"], scored.Select(r => r["id"]));
    }

    [Fact]
    public async Task Restart_JobUnfinished_ResumesAndSucceeds()
    {
        var data = Path.Combine(Path.GetTempPath(), "serverless-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The first instance records the job and plans it, but every shard fails and waits an hour to retry.
            await using (var first = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Storage:DataDirectory", data), ("Jobs:VisibilityTimeoutSeconds", "3600")))
            {
                Directory.CreateDirectory(Path.Combine(data, "jobs"));
                await File.WriteAllTextAsync(Path.Combine(data, "jobs", "iris.jsonl"), IrisRows.Jsonl(50));
                var failed = new TaskCompletionSource();
                first.GetRequiredService<JobMessageHandler>().AfterShardCommitted = _ =>
                {
                    failed.TrySetResult();
                    throw new IOException("instance stopping");
                };
                await first.Client.PostAsJsonAsync("/jobs", new { id = "resumed", model = "iris-mlp", input = "iris.jsonl", output = "out/resumed" });
                await failed.Task.WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal("running", (await JobPolling.GetStatusAsync(first.Client, "resumed")).GetProperty("state").GetString());
            }

            await using var second = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Storage:DataDirectory", data));
            var status = await JobPolling.WaitForFinishAsync(second.Client, "resumed");

            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            Assert.Equal(50, JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(data, "jobs", "out", "resumed", "part-00000.jsonl"))).Count);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Job_Scored_RecordsOneUsageRecordPerShardForTheCaller()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Jobs:ShardBytes", "4096"));
        var root = Path.Combine(host.DataDirectory, "jobs");
        await File.WriteAllTextAsync(Path.Combine(root, "iris.jsonl"), IrisRows.Jsonl(200));

        await host.Client.PostAsJsonAsync("/jobs", new { id = "metered", model = "iris-mlp", input = "iris.jsonl", output = "out/metered" });
        var status = await JobPolling.WaitForFinishAsync(host.Client, "metered");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var shards = status.GetProperty("shards").GetProperty("total").GetInt32();
        var records = new List<UsageRecord>();
        await foreach (var record in host.GetRequiredService<IUsageStore>().ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), Model: "iris-mlp")))
        {
            records.Add(record);
        }
        var jobRecords = records.Where(r => r.RequestId.StartsWith("metered/", StringComparison.Ordinal)).ToList();
        Assert.Equal(shards, jobRecords.Count);
        Assert.Equal(Enumerable.Range(0, shards).Select(s => $"metered/shard-{s:D5}"), jobRecords.Select(r => r.RequestId).Order());
        Assert.Equal(200, jobRecords.Sum(r => r.Rows));
        Assert.All(jobRecords, r => Assert.Equal((CallerId.Anonymous, UsageOutcome.Success), (r.CallerId, r.Outcome)));
    }

    [Theory]
    [InlineData("../outside.jsonl", "'..'")]
    [InlineData("/etc/passwd", "outside Jobs:LocalRoot")]
    [InlineData("file:///etc/passwd", "is a URL")]
    [InlineData("http://169.254.169.254/metadata", "is a URL")]
    public async Task PostJobs_InputOutsideLocalRoot_Returns400BeforeReading(string input, string reason)
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));

        var response = await host.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input, output = "out" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("input")]
    [InlineData("output")]
    public async Task PostJobs_NulCharacterInPath_Returns400NamingTheField(string field)
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var body = new Dictionary<string, string> { ["model"] = "iris-mlp", ["input"] = "in.jsonl", ["output"] = "out" };
        body[field] += "\0x";

        var response = await host.Client.PostAsJsonAsync("/jobs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains($"'{field}'", error);
    }

    [Fact]
    public async Task Job_OutputCannotBeWritten_FailsNamingEachPoisonedShardAndWhy()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Jobs:MaxDequeueCount", "2"), ("Jobs:VisibilityTimeoutSeconds", "1"));
        var root = Path.Combine(host.DataDirectory, "jobs");
        await File.WriteAllTextAsync(Path.Combine(root, "iris.jsonl"), IrisRows.Jsonl(5));
        // Folders where the part and the manifest would go: neither can ever be written.
        Directory.CreateDirectory(Path.Combine(root, "blocked", "part-00000.jsonl"));
        Directory.CreateDirectory(Path.Combine(root, "blocked", "_manifest.json"));

        await host.Client.PostAsJsonAsync("/jobs", new { id = "unwritable", model = "iris-mlp", input = "iris.jsonl", output = "blocked" });
        var status = await JobPolling.WaitForFinishAsync(host.Client, "unwritable", TimeSpan.FromSeconds(60));

        Assert.Equal("failed", status.GetProperty("state").GetString());
        var poisoned = Assert.Single(status.GetProperty("shards").GetProperty("poisoned_shards").EnumerateArray());
        Assert.Equal(0, poisoned.GetProperty("shard").GetInt32());
        Assert.Contains("part-00000.jsonl", poisoned.GetProperty("reason").GetString());
        Assert.Contains("shard 0", status.GetProperty("error").GetString());
        Assert.DoesNotContain(root, status.GetRawText());
    }

    [Fact]
    public async Task Restart_JobWithEveryShardPoisonedStillRunning_EndsAsFailed()
    {
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            // As a kill between poisoning the last shard and finishing the job leaves it: settled, still running.
            await using (var first = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels)))
            {
                var store = first.GetRequiredService<IJobStore>();
                await store.TryCreateAsync(new JobRecord
                {
                    Id = "stuck",
                    Request = new JobRequest { Id = "stuck", Model = "iris-mlp", Input = "iris.jsonl", Output = "out/stuck" },
                    State = JobState.Running,
                    Shards = "p",
                    Error = "shard 0 failed 5 times",
                    CreatedAt = DateTimeOffset.UtcNow,
                    StartedAt = DateTimeOffset.UtcNow,
                });
            }

            await using var second = await ServerlessHost.StartAsync(data, ("Models:Repository", RepositoryPaths.SampleModels));
            var status = await JobPolling.WaitForFinishAsync(second.Client, "stuck", TimeSpan.FromSeconds(60));

            Assert.Equal("failed", status.GetProperty("state").GetString());
            Assert.Contains("shard 0", status.GetProperty("error").GetString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task JsonlJob_LineLongerThanTheReaderLimit_RecordedAsAnErrorRowAndTheRestScored()
    {
        // One shard for the whole input, and no second attempt for a shard that fails.
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Jobs:ShardBytes", (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Jobs:MaxDequeueCount", "1"));
        var root = Path.Combine(host.DataDirectory, "jobs");
        var rows = IrisRows.Jsonl(3).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var tooLong = "{\"id\":\"" + new string('x', 17 * 1024 * 1024) + "\"}";
        await File.WriteAllTextAsync(Path.Combine(root, "long.jsonl"), $"{rows[0]}\n{tooLong}\n{rows[2]}\n");

        await host.Client.PostAsJsonAsync("/jobs", new { id = "long-line", model = "iris-mlp", input = "long.jsonl", output = "out/long", max_error_rate = 0.5 });
        var status = await JobPolling.WaitForFinishAsync(host.Client, "long-line", TimeSpan.FromSeconds(60));

        Assert.Equal("partially_succeeded", status.GetProperty("state").GetString());
        Assert.Equal(2, status.GetProperty("rows").GetProperty("scored").GetInt64());
        var error = Assert.Single(JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(root, "out", "long", "_errors.jsonl"))));
        Assert.Equal(1, error.GetProperty("row").GetInt64());
        Assert.Contains("longer than", error.GetProperty("reason").GetString());
        Assert.Equal(["r0", "r2"], JobOutputRows.Jsonl(await File.ReadAllTextAsync(Path.Combine(root, "out", "long", "part-00000.jsonl"))).Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Job_StaleTemporaryFilesInTheOutput_RemovedWhenTheJobCompletes()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var root = Path.Combine(host.DataDirectory, "jobs");
        await File.WriteAllTextAsync(Path.Combine(root, "iris.jsonl"), IrisRows.Jsonl(5));
        // What a kill -9 mid-shard leaves: empty temporary parts beside the real ones.
        var output = Path.Combine(root, "out", "stale");
        Directory.CreateDirectory(Path.Combine(output, "_errors"));
        await File.WriteAllTextAsync(Path.Combine(output, $".part-00000.jsonl.{Guid.NewGuid():N}.tmp"), "");
        await File.WriteAllTextAsync(Path.Combine(output, "_errors", $".part-00000.jsonl.{Guid.NewGuid():N}.tmp"), "");
        await File.WriteAllTextAsync(Path.Combine(output, "notes.tmp"), "not ours");

        await host.Client.PostAsJsonAsync("/jobs", new { id = "stale", model = "iris-mlp", input = "iris.jsonl", output = "out/stale" });
        var status = await JobPolling.WaitForFinishAsync(host.Client, "stale");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal([Path.Combine(output, "notes.tmp")], Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task GetJob_UnknownId_Returns404()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));

        var response = await host.Client.GetAsync("/jobs/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-3")]
    public async Task ListJobs_LimitNotANumber_Returns400NamingIt(string limit)
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));

        var response = await host.Client.GetAsync($"/jobs?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains($"limit '{limit}'", error);
    }
}
