using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;

namespace Serverless.Tests.Jobs;

/// <summary>
/// Keys required, two callers and the admin: a job belongs to the caller that submitted it, and its files live in
/// that caller's folder, callers/&lt;id&gt;/ under Jobs:LocalRoot.
/// </summary>
public sealed class JobIsolationTests : IAsyncLifetime
{
    private ServerlessHost _host = null!;
    private string _alice = null!;
    private string _bob = null!;

    private string Root => Path.Combine(_host.DataDirectory, "jobs");

    private string FolderOf(string caller) => Path.Combine(Root, "callers", caller);

    public async Task InitializeAsync()
    {
        _host = await ServerlessHost.StartAsync(MeteredApi.Settings(("Metering:RequireKey", "true")));
        _alice = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "alice");
        _bob = await MeteredApi.CreateCallerWithKeyAsync(_host.Client, "bob");
        foreach (var caller in new[] { "alice", "bob" })
        {
            Directory.CreateDirectory(FolderOf(caller));
            await File.WriteAllTextAsync(Path.Combine(FolderOf(caller), "iris.jsonl"), IrisRows.Jsonl(10));
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PostJobs_RelativePaths_ResolveInTheCallersOwnFolder()
    {
        var (status, _) = await SubmitAsync(_alice, new { id = "alice-own", model = "iris-mlp", input = "iris.jsonl", output = "out/own" });

        Assert.Equal(HttpStatusCode.Accepted, status);
        var finished = await WaitAsync(_alice, "alice-own");
        Assert.Equal("succeeded", finished.GetProperty("state").GetString());
        Assert.True(File.Exists(Path.Combine(FolderOf("alice"), "out", "own", "part-00000.jsonl")));
    }

    [Fact]
    public async Task ListJobs_TwoCallers_EachSeesOnlyTheirOwnAndTheAdminSeesAll()
    {
        await SubmitAsync(_alice, new { id = "listed-alice", model = "iris-mlp", input = "iris.jsonl", output = "out/listed" });
        await SubmitAsync(_bob, new { id = "listed-bob", model = "iris-mlp", input = "iris.jsonl", output = "out/listed" });

        var alice = await ListAsync(_alice);
        var bob = await ListAsync(_bob);
        var admin = await ListAsync(MeteredApi.AdminKey);

        Assert.Contains("listed-alice", alice);
        Assert.DoesNotContain("listed-bob", alice);
        Assert.Contains("listed-bob", bob);
        Assert.DoesNotContain("listed-alice", bob);
        Assert.Contains("listed-alice", admin);
        Assert.Contains("listed-bob", admin);
    }

    [Fact]
    public async Task GetJob_AnotherCallersJob_Returns404()
    {
        await SubmitAsync(_alice, new { id = "alice-private", model = "iris-mlp", input = "iris.jsonl", output = "out/private" });

        var (status, body) = await MeteredApi.GetJsonAsync(_host.Client, "/jobs/alice-private", _bob);
        var (adminStatus, _) = await MeteredApi.GetJsonAsync(_host.Client, "/jobs/alice-private", MeteredApi.AdminKey);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("iris.jsonl", body.GetRawText());
        Assert.Equal(HttpStatusCode.OK, adminStatus);
    }

    [Fact]
    public async Task PostJobs_IdOfAnotherCallersJob_Returns409AndNeverTheirRecord()
    {
        await SubmitAsync(_alice, new { id = "taken", model = "iris-mlp", input = "iris.jsonl", output = "out/taken" });

        var (status, body) = await SubmitAsync(_bob, new { id = "taken", model = "iris-mlp", input = "iris.jsonl", output = "out/mine" });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("'taken'", body.GetProperty("error").GetString());
        Assert.DoesNotContain("out/taken", body.GetRawText());
    }

    [Fact]
    public async Task PostJobs_SameCallerSameIdAgain_ReturnsTheirExistingJob()
    {
        await SubmitAsync(_alice, new { id = "again", model = "iris-mlp", input = "iris.jsonl", output = "out/again" });

        var (status, body) = await SubmitAsync(_alice, new { id = "again", model = "iris-mlp", input = "iris.jsonl", output = "out/again" });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("again", body.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("input")]
    [InlineData("output")]
    public async Task PostJobs_PathInAnotherCallersFolder_Returns400(string field)
    {
        var theirs = Path.Combine(FolderOf("alice"), field == "input" ? "iris.jsonl" : "out/overwritten");
        var job = new Dictionary<string, string> { ["model"] = "iris-mlp", ["input"] = "iris.jsonl", ["output"] = "out/x", [field] = theirs };

        var (status, body) = await SubmitAsync(_bob, job);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"'{field}'", body.GetProperty("error").GetString());
        Assert.False(Directory.Exists(Path.Combine(FolderOf("alice"), "out")));
    }

    [Theory]
    [InlineData("in/rows.jsonl", "in")]
    [InlineData("rows.jsonl", ".")]
    public async Task PostJobs_OutputFolderHoldingTheInput_Returns400(string input, string output)
    {
        Directory.CreateDirectory(Path.Combine(FolderOf("alice"), "in"));
        await File.WriteAllTextAsync(Path.Combine(FolderOf("alice"), input), IrisRows.Jsonl(2));

        var (status, body) = await SubmitAsync(_alice, new { model = "iris-mlp", input, output });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'output'", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task PostJobs_AnonymousJobIntoTheCallersFolders_Returns400()
    {
        await using var keysOptional = await ServerlessHost.StartAsync(MeteredApi.Settings());
        var root = Path.Combine(keysOptional.DataDirectory, "jobs");
        Directory.CreateDirectory(Path.Combine(root, "callers", "alice"));
        await File.WriteAllTextAsync(Path.Combine(root, "callers", "alice", "iris.jsonl"), IrisRows.Jsonl(2));

        var reading = await keysOptional.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = "callers/alice/iris.jsonl", output = "out" });
        var writing = await keysOptional.Client.PostAsJsonAsync("/jobs", new { model = "iris-mlp", input = "iris.jsonl", output = "callers/alice/out" });

        Assert.Equal(HttpStatusCode.BadRequest, reading.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, writing.StatusCode);
        Assert.Contains("'callers/'", await writing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CancelJob_AnotherCallersJob_Returns404AndLeavesItAlone()
    {
        await SubmitAsync(_alice, new { id = "alice-uncancelled", model = "iris-mlp", input = "iris.jsonl", output = "out/uncancelled" });

        var (status, body) = await DeleteAsync(_bob, "/jobs/alice-uncancelled");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("job 'alice-uncancelled' not found", body.GetProperty("error").GetString());
        Assert.Equal("succeeded", (await WaitAsync(_alice, "alice-uncancelled")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task CancelJob_OwnersFinishedJob_Returns409NamingItsState()
    {
        await SubmitAsync(_alice, new { id = "alice-finished", model = "iris-mlp", input = "iris.jsonl", output = "out/finished" });
        await WaitAsync(_alice, "alice-finished");

        var (status, body) = await DeleteAsync(_alice, "/jobs/alice-finished");
        var (adminStatus, _) = await DeleteAsync(MeteredApi.AdminKey, "/jobs/alice-finished");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(HttpStatusCode.Conflict, adminStatus);
        Assert.Equal("job 'alice-finished' is already succeeded: only a queued or running job can be cancelled", body.GetProperty("error").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> DeleteAsync(string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await _host.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SubmitAsync(string key, object job)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = JsonContent.Create(job) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await _host.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<List<string>> ListAsync(string key)
    {
        var (status, body) = await MeteredApi.GetJsonAsync(_host.Client, "/jobs", key);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();
    }

    private async Task<JsonElement> WaitAsync(string key, string id)
    {
        using var client = new HttpClient { BaseAddress = _host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await JobPolling.WaitForFinishAsync(client, id);
    }
}
