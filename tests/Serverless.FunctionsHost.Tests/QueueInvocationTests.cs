using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Serverless.FunctionsHost.Tests.StandIn;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;
using Serverless.Testing;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// A batch job end to end against Azurite with the stand-in host playing the queue listener: POST /jobs through the
/// proxy, then every message the app puts on the jobs queue (the job, then its shards) received here and delivered as
/// an InvocationRequest, as the host's queue extension would. The worker never reads the queue itself.
/// </summary>
public sealed class QueueInvocationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // 120 rows of about 60 bytes against the smallest shard size (4096 bytes): two shards.
    private const int Rows = 120;
    private const int ShardBytes = 4096;

    [Fact]
    public async Task ScoreShard_JobAndShardMessagesDelivered_JobSucceedsWithEveryRowScoredAsHttpInfer()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var container = new BlobContainerClient(azurite.ConnectionString, $"data-{suffix}");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("in/iris.jsonl").UploadAsync(BinaryData.FromString(IrisJsonl(Rows)));
        // Base64, as the app sends and as host.json tells the host's listener to decode.
        var queue = new QueueClient(azurite.ConnectionString, $"jobs-{suffix}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        using var data = new TempDirectory();
        var settings = AppSettings.Sample(data.Path,
            ("AzureWebJobsStorage", azurite.ConnectionString),
            ("Jobs__Queue", queue.Name),
            ("Jobs__Table", $"jobs{suffix}"),
            ("Jobs__AllowedContainers__0", container.Name),
            ("Jobs__ShardBytes", ShardBytes.ToString(CultureInfo.InvariantCulture)));
        await using var host = await StandInHost.StartAndLoadAsync(settings);

        var submitted = await host.SendAsync(Post("/jobs", new { id = "queued", model = "iris-mlp", input = $"{container.Uri}/in/iris.jsonl", output = $"{container.Uri}/out" }));
        Assert.True(submitted.Response.StatusCode == HttpStatusCode.Accepted, Encoding.UTF8.GetString(submitted.Body));
        var (status, deliveries) = await DeliverUntilFinishedAsync(host, queue, "queued");

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal(Rows, status.GetProperty("rows").GetProperty("scored").GetInt64());
        var shards = status.GetProperty("shards").GetProperty("total").GetInt32();
        Assert.True(shards >= 2, $"{shards} shard(s)");
        Assert.Equal(1 + shards, deliveries);
        var rows = await ReadOutputRowsAsync(container);
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => $"r{r}"), rows.Select(r => r.GetProperty("id").GetString()));
        for (var r = 0; r < Rows; r++)
        {
            var (probabilities, label) = await InferOneAsync(host, Features(r));
            Assert.Equal(probabilities, rows[r].GetProperty("probabilities").EnumerateArray().Select(v => v.GetSingle()));
            Assert.Equal(label, rows[r].GetProperty("label").GetInt64());
        }
    }

    /// <summary>
    /// The host's listener in miniature: receive, invoke ScoreShard, delete on success, until GET /jobs/{id} says the job
    /// is finished. Returns the final status and how many messages were delivered.
    /// </summary>
    private static async Task<(JsonElement Status, int Deliveries)> DeliverUntilFinishedAsync(StandInHost host, QueueClient queue, string jobId)
    {
        var deliveries = 0;
        JsonElement status = default;
        try
        {
            // Polling the queue every 100 ms when it is empty, as the host's listener does between batches.
            await Eventually.TrueAsync(async () =>
            {
                status = await GetStatusAsync(host, jobId);
                if (status.GetProperty("state").GetString() is "succeeded" or "partially_succeeded" or "failed")
                {
                    return true;
                }
                QueueMessage[] messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
                foreach (var message in messages)
                {
                    var invocation = await host.InvokeQueueAsync(message.Body.ToString(), message.MessageId, message.DequeueCount);
                    Assert.True(invocation.Result.Status == StatusResult.Types.Status.Success,
                        $"message {message.Body}: {invocation.Result.Status} {invocation.Result.Exception?.Message}\n{host.Diagnostics()}");
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    deliveries++;
                }
                return false;
            }, $"job {jobId} finishing", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: {deliveries} deliveries, last status {status}", e);
        }
        return (status, deliveries);
    }

    private static async Task<JsonElement> GetStatusAsync(StandInHost host, string jobId)
    {
        var call = await host.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/jobs/{jobId}"));
        Assert.True(call.Response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(call.Body));
        return JsonDocument.Parse(call.Body).RootElement.Clone();
    }

    /// <summary>Every output row in input order, parts read in the manifest's order.</summary>
    private static async Task<List<JsonElement>> ReadOutputRowsAsync(BlobContainerClient container)
    {
        using var manifest = JsonDocument.Parse((await container.GetBlobClient("out/_manifest.json").DownloadContentAsync()).Value.Content.ToString());
        var rows = new List<JsonElement>();
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            var text = (await container.GetBlobClient($"out/{part.GetProperty("name").GetString()}").DownloadContentAsync()).Value.Content.ToString();
            rows.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()));
        }
        return rows;
    }

    private static async Task<(float[] Probabilities, long Label)> InferOneAsync(StandInHost host, float[] features)
    {
        var call = await host.SendAsync(Post("/v2/models/iris-mlp/infer", new
        {
            inputs = new[] { new { name = "features", datatype = "FP32", shape = new[] { 1, 4 }, data = features } },
        }));
        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
        using var body = JsonDocument.Parse(call.Body);
        var outputs = body.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, o => o.GetProperty("data").Clone());
        return (outputs["probabilities"].EnumerateArray().Select(v => v.GetSingle()).ToArray(), outputs["label"].EnumerateArray().Single().GetInt64());
    }

    private static HttpRequestMessage Post(string path, object body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };

    private static float[] Features(int row) =>
        [4.3f + row % 37 * 0.1f, 2.0f + row % 23 * 0.1f, 1.0f + row % 59 * 0.1f, 0.1f + row % 25 * 0.1f];

    private static string IrisJsonl(int rows) =>
        string.Concat(Enumerable.Range(0, rows).Select(r =>
            $"{{\"id\":\"r{r}\",\"features\":[{string.Join(",", Features(r).Select(v => v.ToString(CultureInfo.InvariantCulture)))}]}}\n"));
}
