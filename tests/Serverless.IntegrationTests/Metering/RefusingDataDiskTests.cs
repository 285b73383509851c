using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>
/// The app as its own process on a data disk that fills up or turns read-only for real (a small tmpfs), restarted so:
/// it serves, not ready, saying why; every call that must write answers 503 with Retry-After in product terms; and
/// once the disk takes writes again what the last run answered reaches the usage store.
/// </summary>
public sealed class RefusingDataDiskTests
{
    // A lag of a minute: what the killed process answered is still in its journal, so the restart must ship it.
    private static readonly (string Key, string Value)[] KilledRun = [("Metering:Store", "sqlite"), ("Metering:MaxCommitLagMilliseconds", "60000")];
    // The restart retries the ship on every tick, each half lag.
    private static readonly (string Key, string Value)[] Restart = [("Metering:Store", "sqlite"), ("Metering:MaxCommitLagMilliseconds", "1000")];

    [WithSmallDiskFact]
    public Task Restart_DataDiskFull_ServesNotReadyAnswers503InProductTermsAndShipsTheLastRunOnceFreed() =>
        RestartOnARefusingDiskAsync(disk => disk.Fill(), disk => disk.Free(), "the server's data disk is full: ",
            adminAndJobs: "the request could not be stored");

    [WithSmallDiskFact]
    public Task Restart_DataDiskReadOnly_ServesNotReadyAnswers503InProductTermsAndShipsTheLastRunOnceWritable() =>
        // SQLite cannot open a WAL database on a read-only disk: the admin API's refusal is that one.
        RestartOnARefusingDiskAsync(disk => disk.MakeReadOnly(), disk => disk.MakeWritable(), "the server's data disk is read-only: ",
            adminAndJobs: null);

    [WithSmallDiskFact]
    public async Task FirstStart_DataDiskFull_JobsAndAdminApiAre503InProductTerms()
    {
        using var disk = SmallDisk.Mount(4096);
        disk.Fill();

        // Before: POST /jobs answered 500 "no such table: jobs", the tables never made on the full disk.
        using var app = await MeteringAppProcess.StartAsync(disk.Path, Restart);

        await AssertRefusedAsync(app.Client, Admin(HttpMethod.Post, "/jobs", new { id = "refused", model = "linear-regressor", input = "in/rows.jsonl", output = "out/rows" }),
            "the server's data disk is full: the request could not be stored");
        await AssertRefusedAsync(app.Client, Admin(HttpMethod.Post, "/admin/callers", new { id = "acme" }), null);
    }

    /// <param name="adminAndJobs">What the admin API and POST /jobs say was not done, or null to check only their status.</param>
    private static async Task RestartOnARefusingDiskAsync(Action<SmallDisk> refuse, Action<SmallDisk> restore, string diskSays, string? adminAndJobs)
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
        refuse(disk);

        // Before: the start-up ship's exception went unhandled, SIGABRT (exit 134) before listening.
        using var restarted = await MeteringAppProcess.StartAsync(disk.Path, Restart);
        var client = restarted.Client;

        Assert.Equal(HttpStatusCode.OK, (await MeteredApi.GetJsonAsync(client, "/v2/health/live", key: null)).Status);
        var (readyStatus, ready) = await MeteredApi.GetJsonAsync(client, "/v2/health/ready", key: null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.Equal(diskSays + "usage records left by the last run cannot be stored yet; retry later", ready.GetProperty("error").GetString());
        // Before: 500 "internal server error" for the admin API and jobs, and the journal's path in inference's 503.
        await AssertRefusedAsync(client, Admin(HttpMethod.Post, "/admin/callers", new { id = "acme" }), adminAndJobs is null ? null : diskSays + adminAndJobs);
        await AssertRefusedAsync(client, Admin(HttpMethod.Post, "/jobs", new { id = "refused", model = "linear-regressor", input = "in/rows.jsonl", output = "out/rows" }),
            adminAndJobs is null ? null : diskSays + adminAndJobs);
        await AssertRefusedAsync(client, MeteredApi.Infer("linear-regressor", MeteredApi.LinearRegressorBody("on-refusing-disk"), key: null),
            diskSays + "the usage record could not be written, so the call was not answered");

        restore(disk);
        await Eventually.TrueAsync(async () => (await MeteredApi.GetJsonAsync(client, "/v2/health/ready", key: null)).Status == HttpStatusCode.OK,
            "the server ready once its disk takes writes");
        var export = await MeteredApi.GetTextAsync(client, "/usage/export", MeteredApi.AdminKey);
        var recorded = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[1]).ToHashSet();
        Assert.NotEmpty(answered);
        Assert.All(answered, id => Assert.Contains(id, recorded));
    }

    /// <param name="error">The whole error message expected, or null for any that names no path.</param>
    private static async Task AssertRefusedAsync(HttpClient client, HttpRequestMessage request, string? error)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
            Assert.NotNull(response.Headers.RetryAfter);
            var said = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
            if (error is null)
            {
                Assert.StartsWith("the server's data disk ", said);
                Assert.DoesNotContain("/", said);
            }
            else
            {
                Assert.Equal(error + "; retry later", said);
            }
        }
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MeteredApi.AdminKey);
        return request;
    }
}
