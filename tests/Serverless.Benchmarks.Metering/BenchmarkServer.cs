using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Metering;
using Serverless.Functions.Hosting;

namespace Serverless.Benchmarks.Metering;

/// <summary>The real app on Kestrel at 127.0.0.1, with metering on (keys, ledger, limits) or off, and its own data folder.</summary>
public sealed class BenchmarkServer : IAsyncDisposable
{
    private const string AdminKey = "benchmark-admin-key";
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private BenchmarkServer(WebApplication app, string dataDirectory, HttpClient client, string? key)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        Client = client;
        Key = key;
    }

    public HttpClient Client { get; }

    /// <summary>The caller key calls carry when metering is on, so authentication is part of what is measured.</summary>
    public string? Key { get; }

    public static async Task<BenchmarkServer> StartAsync(BenchmarkSettings settings, BenchmarkVariant variant)
    {
        var metering = variant.Metering;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N"));
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            $"--Storage:DataDirectory={dataDirectory}",
            $"--Models:Repository={settings.Repository}",
            "--Logging:LogLevel:Default=Warning",
            $"--Metering:Enabled={metering}",
            $"--Metering:AdminKey={AdminKey}",
            "--Metering:RequireKey=true",
        };
        if (settings.Store != "sqlite")
        {
            args.Add("--Metering:Store=table");
            args.Add($"--AzureWebJobsStorage={settings.Store}");
        }
        args.AddRange(variant.Settings);
        var app = ServerlessApplication.BuildStandalone([.. args], services =>
        {
            // Registered last, so it wins over the SQLite or Table store registered before.
            if (variant.DiscardRecords)
            {
                services.AddSingleton<IUsageStore, DiscardingUsageStore>();
            }
            else
            {
                var real = services.Last(d => d.ServiceType == typeof(IUsageStore));
                services.AddSingleton<IUsageStore>(sp => new CountingUsageStore((IUsageStore)(real.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!))));
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency }) { BaseAddress = new Uri(address) };
        return new BenchmarkServer(app, dataDirectory, client, metering && variant.SendKey ? await IssueKeyAsync(client) : null);
    }

    private static async Task<string> IssueKeyAsync(HttpClient client)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/admin/callers") { Content = JsonContent.Create(new { id = "bench" }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var created = await client.SendAsync(create);
        // 409: a Table store given by connection string outlives the run, and an earlier run registered the caller.
        if (created.StatusCode != System.Net.HttpStatusCode.Conflict)
        {
            created.EnsureSuccessStatusCode();
        }
        using var issue = new HttpRequestMessage(HttpMethod.Post, "/admin/callers/bench/keys");
        issue.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = (await client.SendAsync(issue)).EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>Group commits so far: how many, how large, how long.</summary>
    public string LedgerSummary() => _app.Services.GetRequiredService<IUsageStore>() is CountingUsageStore counting ? counting.Summary() : "records discarded";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
