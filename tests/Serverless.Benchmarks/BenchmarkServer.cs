using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Functions.Hosting;

namespace Serverless.Benchmarks;

/// <summary>The real app on Kestrel at 127.0.0.1, in this process, with a fresh data folder.</summary>
public sealed class BenchmarkServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private readonly bool _ownsData;

    private BenchmarkServer(WebApplication app, Uri address, string data, bool ownsData)
    {
        _app = app;
        Address = address;
        _data = data;
        _ownsData = ownsData;
    }

    public Uri Address { get; }

    /// <summary>The app's services, for rows that call the application layer without HTTP.</summary>
    public IServiceProvider Services => _app.Services;

    public static Task<BenchmarkServer> StartAsync(params string[] settings) =>
        StartAsync(Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N")), settings, ownsData: true);

    /// <param name="data">The data folder; the caller deletes it when it passes one in to restart on it.</param>
    public static async Task<BenchmarkServer> StartAsync(string data, string[] settings, bool ownsData = false)
    {
        var app = ServerlessApplication.BuildStandalone(["--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={data}", "--Logging:LogLevel:Default=Warning", .. settings]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchmarkServer(app, new Uri(address), data, ownsData);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData && Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
