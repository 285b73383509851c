using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serverless.Core.Jobs;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>What submissions may make the embedded job store keep: refused ones nothing, rejected queue messages little, a caller a bounded count.</summary>
public sealed class JobStoreBoundsTests
{
    [Fact]
    public async Task PostJobs_ManyFailed60KbSubmissions_StoreNothing()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var outputs = Enumerable.Range(0, 3000).Select(i => $"output_{i:D10}").ToArray();

        for (var i = 0; i < 20; i++)
        {
            using var response = await host.Client.PostAsJsonAsync("/jobs", new { id = $"big-{i}", model = "iris-mlp", input = "missing.jsonl", output = "out", outputs });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("a job keeps", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }

        Assert.Empty(await host.GetRequiredService<IJobStore>().ListAsync(100, caller: null));
    }

    [Fact]
    public async Task QueueMessage_RejectedWithA60KbField_RecordsTheJobFailedWithItsTextsCut()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var model = new string('x', 60_000) + "!";

        await host.GetRequiredService<IJobQueue>().SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { id = "rejected", model, input = "a", output = "b" })));
        var status = await JobPolling.WaitForFinishAsync(host.Client, "rejected");

        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.InRange(status.GetProperty("error").GetString()!.Length, 1, StoredText.MaxLength + 3);
        Assert.InRange(status.GetProperty("model").GetString()!.Length, 1, StoredText.MaxLength + 3);
    }

    [Fact]
    public async Task PostJobs_PastMaxJobsPerCaller_Returns429NamingTheSetting()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Jobs:MaxJobsPerCaller", "2"));
        await File.WriteAllTextAsync(Path.Combine(host.DataDirectory, "jobs", "iris.jsonl"), IrisRows.Jsonl(5));

        var answers = new List<HttpStatusCode>();
        string? error = null;
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = "iris.jsonl", output = $"out/{i}" });
            answers.Add(response.StatusCode);
            error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, (HttpStatusCode)429], answers);
        Assert.Contains("Jobs:MaxJobsPerCaller", error);
    }

    [UnixFact]
    public async Task PostJobs_InputIsANamedPipe_Returns400AndTheServerStopsCleanly()
    {
        var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        NamedPipe.Create(Path.Combine(host.DataDirectory, "jobs", "pipe.jsonl"));

        using var response = await host.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = "pipe.jsonl", output = "out/pipe" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("'input' 'pipe.jsonl' is a named pipe (FIFO): a job reads a regular file",
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
    }
}
