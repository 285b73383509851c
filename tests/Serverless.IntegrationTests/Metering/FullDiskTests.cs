using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>
/// The app as its own process on a data disk that fills up for real (a small tmpfs), restarted while it is full:
/// it serves, not ready, saying why; every call that must write answers 503 with Retry-After in product terms; and
/// once the disk has room what the last run answered reaches the usage store.
/// </summary>
public sealed class FullDiskTests
{
    private const string DiskFull = "the server's data disk is full: ";
    // A lag of a minute: what the killed process answered is still in its journal, so the restart must ship it.
    private static readonly (string Key, string Value)[] KilledRun = [("Metering:Store", "sqlite"), ("Metering:MaxCommitLagMilliseconds", "60000")];
    // The restart retries the ship on every tick, each half lag.
    private static readonly (string Key, string Value)[] Restart = [("Metering:Store", "sqlite"), ("Metering:MaxCommitLagMilliseconds", "1000")];

    [WithSmallDiskFact]
    public async Task Restart_DataDiskFull_ServesNotReadyAnswers503InProductTermsAndShipsTheLastRunOnceFreed()
    {
        using var disk = SmallDisk.Mount(4096);
        List<string> answered = [];
        using (var app = await MeteringAppProcess.StartAsync(disk.Path, KilledRun))
        {
            for (var i = 0; i < 20; i++)
            {
                if (await MeteredApi.InferAsync(app.Client, "linear-regressor", $"left-{i}", key: null) == HttpStatusCode.OK)
                {
                    answered.Add($"left-{i}");
                }
            }
            app.Kill();
        }
        disk.Fill();

        // Before: the start-up ship's exception went unhandled, SIGABRT (exit 134) before listening.
        using var restarted = await MeteringAppProcess.StartAsync(disk.Path, Restart);
        var client = restarted.Client;

        Assert.Equal(HttpStatusCode.OK, (await MeteredApi.GetJsonAsync(client, "/v2/health/live", key: null)).Status);
        var (readyStatus, ready) = await MeteredApi.GetJsonAsync(client, "/v2/health/ready", key: null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.Equal(DiskFull + "usage records left by the last run cannot be stored yet; retry later", ready.GetProperty("error").GetString());
        // Before: 500 "internal server error" for the admin API and jobs, and the journal's path in inference's 503.
        await AssertDiskFullAsync(client, Admin(HttpMethod.Post, "/admin/callers", new { id = "acme" }), "the request could not be stored");
        await AssertDiskFullAsync(client, Admin(HttpMethod.Post, "/jobs", new { id = "full", model = "linear-regressor", input = "in/rows.jsonl", output = "out/rows" }),
            "the request could not be stored");
        await AssertDiskFullAsync(client, MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("on-full-disk"), key: null),
            "the usage record could not be written, so the call was not answered");

        disk.Free();
        await Eventually.TrueAsync(async () => (await MeteredApi.GetJsonAsync(client, "/v2/health/ready", key: null)).Status == HttpStatusCode.OK,
            "the server ready once its disk has room");
        var export = await MeteredApi.GetTextAsync(client, "/usage/export", MeteredApi.AdminKey);
        var recorded = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[1]).ToHashSet();
        Assert.NotEmpty(answered);
        Assert.All(answered, id => Assert.Contains(id, recorded));
    }

    private static async Task AssertDiskFullAsync(HttpClient client, HttpRequestMessage request, string notDone)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal(DiskFull + notDone + "; retry later", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MeteredApi.AdminKey);
        return request;
    }
}
