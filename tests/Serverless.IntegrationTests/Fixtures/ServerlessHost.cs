using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Functions.Hosting;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// The real app on Kestrel at 127.0.0.1 on a free port, configured only through command-line settings
/// (as an operator would), with its own data folder.
/// </summary>
public sealed class ServerlessHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerlessHost(WebApplication app, Uri address, string dataDirectory)
    {
        _app = app;
        Address = address;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Configuration keys and values, e.g. ("Models:Repository", folder).</param>
    public static Task<ServerlessHost> StartAsync(params (string Key, string Value)[] settings) => StartAsync(null, settings);

    /// <param name="dataDirectory">Reuse a data folder (to restart on the same state); a fresh temp folder when null.</param>
    public static Task<ServerlessHost> StartAsync(string? dataDirectory, params (string Key, string Value)[] settings) =>
        StartAsync(dataDirectory, null, settings);

    /// <param name="overrideServices">Replaces a seam after the app's own registrations, e.g. a session factory that injects a fault.</param>
    public static Task<ServerlessHost> StartWithServicesAsync(Action<IServiceCollection> overrideServices, params (string Key, string Value)[] settings) =>
        StartAsync(null, overrideServices, settings);

    private static async Task<ServerlessHost> StartAsync(string? dataDirectory, Action<IServiceCollection>? overrideServices, (string Key, string Value)[] settings)
    {
        var ownsData = dataDirectory is null;
        dataDirectory ??= NewDataDirectory();
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--Storage:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var app = ServerlessApplication.BuildStandalone([.. args], overrideServices);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerlessHost(app, new Uri(address), dataDirectory) { _ownsData = ownsData };
    }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "serverless-test-" + Guid.NewGuid().ToString("N"));

    private bool _ownsData;

    public T GetRequiredService<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsData)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
