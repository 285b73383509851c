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

    private BenchmarkServer(WebApplication app, Uri address, string data)
    {
        _app = app;
        Address = address;
        _data = data;
    }

    public Uri Address { get; }

    public static async Task<BenchmarkServer> StartAsync(params string[] settings)
    {
        var data = Path.Combine(Path.GetTempPath(), "serverless-bench-" + Guid.NewGuid().ToString("N"));
        var app = ServerlessApplication.Build(["--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={data}", "--Logging:LogLevel:Default=Warning", .. settings]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchmarkServer(app, new Uri(address), data);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
