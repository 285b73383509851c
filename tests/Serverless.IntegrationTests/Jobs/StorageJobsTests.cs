using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Core.Jobs;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>Jobs against real Azurite with the standalone queue listener: queue, Table job state, blob input and output.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageJobsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task JsonlJob_PlainJsonOnQueue_OutputEqualsHttpApiRowByRow()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.jsonl", IrisRows.Jsonl(30));
        await using var host = await ServerlessHost.StartAsync(space.Settings());

        // Plain JSON, as a tool or a person would put it on the queue; the listener also takes base64.
        await space.RawQueueClient().SendMessageAsync(JsonSerializer.Serialize(new { id = "jsonl-job", model = "iris-mlp", input = space.Url("in/iris.jsonl"), output = space.Url("out/jsonl") }));
        var status = await JobPolling.WaitForFinishAsync(host.Client, "jsonl-job");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var rows = JobOutputRows.Jsonl(await space.DownloadAsync("out/jsonl/part-00000.jsonl"));
        Assert.Equal(30, rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var (probabilities, label) = await HttpReference.InferAsync(host.Client, IrisRows.Features(r));
            Assert.Equal(r, rows[r].GetProperty("row").GetInt64());
            Assert.Equal($"r{r}", rows[r].GetProperty("id").GetString());
            Assert.Equal(probabilities, rows[r].GetProperty("probabilities").EnumerateArray().Select(v => v.GetSingle()).ToArray());
            Assert.Equal(label, rows[r].GetProperty("label").GetInt64());
        }
        using var manifest = JsonDocument.Parse(await space.DownloadAsync("out/jsonl/_manifest.json"));
        Assert.Equal(30, manifest.RootElement.GetProperty("rows_scored").GetInt64());
        Assert.Equal("part-00000.jsonl", manifest.RootElement.GetProperty("parts")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task PostJobs_CallerWithKey_OnlyBlobsUnderTheirOwnPrefix()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.jsonl", IrisRows.Jsonl(5));
        await space.UploadAsync("callers/alice/in/iris.jsonl", IrisRows.Jsonl(5));
        await using var host = await ServerlessHost.StartAsync(space.Settings(("Metering:AdminKey", Metering.MeteredApi.AdminKey), ("Metering:RequireKey", "true")));
        var key = await Metering.MeteredApi.CreateCallerWithKeyAsync(host.Client, "alice");
        using var alice = new HttpClient { BaseAddress = host.Address };
        alice.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);

        var outside = await alice.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = space.Url("in/iris.jsonl"), output = space.Url("callers/alice/out") });
        var inside = await alice.PostAsJsonAsync("/jobs", new { id = "alice-blobs", model = "iris-mlp", input = space.Url("callers/alice/in/iris.jsonl"), output = space.Url("callers/alice/out") });

        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Contains("'callers/alice/'", await outside.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, inside.StatusCode);
        Assert.Equal("succeeded", (await JobPolling.WaitForFinishAsync(alice, "alice-blobs")).GetProperty("state").GetString());
        Assert.True(await space.ExistsAsync("callers/alice/out/part-00000.jsonl"));
        var bob = await Metering.MeteredApi.CreateCallerWithKeyAsync(host.Client, "bob");
        var (_, listedToAlice) = await Metering.MeteredApi.GetJsonAsync(host.Client, "/jobs", key);
        var (_, listedToBob) = await Metering.MeteredApi.GetJsonAsync(host.Client, "/jobs", bob);
        Assert.Contains(listedToAlice.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == "alice-blobs");
        Assert.Empty(listedToBob.GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task CsvJob_PostJobs_OutputEqualsHttpApiRowByRow()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.csv", IrisRows.Csv(25));
        await using var host = await ServerlessHost.StartAsync(space.Settings());

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = space.Url("in/iris.csv"), output = space.Url("out/csv"), format = "csv" });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var status = await JobPolling.WaitForFinishAsync(host.Client, id);

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var text = await space.DownloadAsync("out/csv/part-00000.csv");
        Assert.StartsWith("row,id,probabilities_0,probabilities_1,probabilities_2,label\n", text);
        var rows = JobOutputRows.Csv(text);
        Assert.Equal(25, rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var (probabilities, label) = await HttpReference.InferAsync(host.Client, IrisRows.Features(r));
            Assert.Equal(r.ToString(CultureInfo.InvariantCulture), rows[r]["row"]);
            Assert.Equal($"r{r}", rows[r]["id"]);
            Assert.Equal(probabilities, Enumerable.Range(0, 3).Select(i => float.Parse(rows[r][$"probabilities_{i}"], CultureInfo.InvariantCulture)).ToArray());
            Assert.Equal(label, long.Parse(rows[r]["label"], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Job_BadRows_RecordedInErrorsFileWithRowNumbers()
    {
        var space = new AzuriteJobSpace(azurite);
        var lines = Enumerable.Range(0, 10).Select(IrisRows.JsonlLine).ToArray();
        lines[2] = "{not json";
        lines[5] = """{"id":"r5","features":[1,2,3]}""";
        lines[7] = """{"id":"r7","features":[1,"abc",3,4]}""";
        await space.UploadAsync("in/bad.jsonl", string.Join("\n", lines) + "\n");
        await using var host = await ServerlessHost.StartAsync(space.Settings());

        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "bad-rows", model = "iris-mlp", input = space.Url("in/bad.jsonl"), output = space.Url("out/bad"), max_error_rate = 0.5 });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "bad-rows");

        Assert.Equal("partially_succeeded", status.GetProperty("state").GetString());
        Assert.Equal(7, status.GetProperty("rows").GetProperty("scored").GetInt64());
        Assert.Equal(3, status.GetProperty("rows").GetProperty("failed").GetInt64());
        var errors = JobOutputRows.Jsonl(await space.DownloadAsync("out/bad/_errors.jsonl"));
        Assert.Equal([2L, 5L, 7L], errors.Select(e => e.GetProperty("row").GetInt64()));
        Assert.Contains("JSON", errors[0].GetProperty("reason").GetString());
        Assert.Contains("3 values, a row needs 4", errors[1].GetProperty("reason").GetString());
        Assert.Contains("abc", errors[2].GetProperty("reason").GetString());
        var scored = JobOutputRows.Jsonl(await space.DownloadAsync("out/bad/part-00000.jsonl"));
        Assert.Equal([0L, 1L, 3L, 4L, 6L, 8L, 9L], scored.Select(r => r.GetProperty("row").GetInt64()));
    }

    [Fact]
    public async Task Job_ErrorRateAboveMaximum_FailsWithReason()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/bad.jsonl", IrisRows.Jsonl(8) + "not json\n" + "{\"features\":[]}\n");
        await using var host = await ServerlessHost.StartAsync(space.Settings());

        await host.Client.PostAsJsonAsync("/jobs", new { id = "too-many-errors", model = "iris-mlp", input = space.Url("in/bad.jsonl"), output = space.Url("out/rate"), max_error_rate = 0.1 });
        var status = await JobPolling.WaitForFinishAsync(host.Client, "too-many-errors");

        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Contains("2 of 10 rows failed", status.GetProperty("error").GetString());
        Assert.Contains("max_error_rate", status.GetProperty("error").GetString());
        Assert.True(await space.ExistsAsync("out/rate/_manifest.json"));
    }

    [Fact]
    public async Task Job_ShardFailsEveryAttempt_MovesToPoisonQueueAndFailsJob()
    {
        var space = new AzuriteJobSpace(azurite);
        await space.UploadAsync("in/iris.jsonl", IrisRows.Jsonl(5));
        await using var host = await ServerlessHost.StartAsync(space.Settings(("Jobs:MaxDequeueCount", "2"), ("Jobs:VisibilityTimeoutSeconds", "1")));
        host.GetRequiredService<JobMessageHandler>().AfterShardCommitted = _ => throw new IOException("disk on fire");

        await host.Client.PostAsJsonAsync("/jobs", new { id = "poisoned", model = "iris-mlp", input = space.Url("in/iris.jsonl"), output = space.Url("out/poison") });
        var status = await JobPolling.WaitForFinishAsync(host.Client, "poisoned");

        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Contains($"moved to {space.Queue}-poison: disk on fire", status.GetProperty("error").GetString());
        Assert.Equal(1, status.GetProperty("shards").GetProperty("poisoned").GetInt32());
        var poisoned = await PeekEventuallyAsync(space.QueueClient($"{space.Queue}-poison"));
        Assert.Contains("\"shard\":0", poisoned);
    }

    [Theory]
    [InlineData("http://evil.example.com/devstoreaccount1/{container}/in.jsonl", "Jobs:AllowedContainers")]
    [InlineData("{account}/other-container/in.jsonl", "Jobs:AllowedContainers")]
    [InlineData("{account}/{container}/in.jsonl?sv=2024&sig=abc", "SAS")]
    [InlineData("{account}/{container}/a/../../other/in.jsonl", "dot segments")]
    [InlineData("file:///etc/passwd", "blob URL")]
    [InlineData("in.jsonl", "blob URL")]
    public async Task PostJobs_InputOutsideAllowedContainers_Returns400(string input, string reason)
    {
        var space = new AzuriteJobSpace(azurite);
        await using var host = await ServerlessHost.StartAsync(space.Settings());
        var account = space.Container.Uri.AbsoluteUri[..space.Container.Uri.AbsoluteUri.LastIndexOf('/')];
        input = input.Replace("{account}", account).Replace("{container}", space.Container.Name);

        var response = await host.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input, output = space.Url("out") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    private static Task<string> PeekEventuallyAsync(Azure.Storage.Queues.QueueClient queue) =>
        Eventually.ValueAsync(async () => (await queue.PeekMessagesAsync(1)).Value is [var first, ..] ? first.Body.ToString() : null,
            $"a message arriving on {queue.Name}", interval: TimeSpan.FromMilliseconds(100));
}
