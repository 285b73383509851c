using System.Text.RegularExpressions;
using Serverless.FunctionsHost.Tests.StandIn;

namespace Serverless.FunctionsHost.Tests;

/// <summary>The same built dll started on its own (no host arguments): its answers are what the worker's must equal.</summary>
public sealed partial class StandaloneApp : IAsyncDisposable
{
    private readonly AppProcess _process;

    private StandaloneApp(AppProcess process, Uri address)
    {
        _process = process;
        // Redirects are answers to compare (GET / and /docs send browsers on), as the stand-in host's forwarder sees them.
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public static async Task<StandaloneApp> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        // Port 0: Kestrel picks one and the lifetime log line tells which.
        var environment = new Dictionary<string, string>(settings) { ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information" };
        var process = AppProcess.Start(AppOutput.Directory, ["--urls", "http://127.0.0.1:0"], environment);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var listening = await process.WaitForLineAsync(ListeningLine(), timeout.Token);
            return new StandaloneApp(process, new Uri(listening.Groups["address"].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends the same request the worker got.</summary>
    public async Task<(HttpResponseMessage Response, byte[] Body)> SendAsync(BufferedRequest request)
    {
        using var message = request.ToMessage(new Uri(Client.BaseAddress!, request.PathAndQuery));
        var response = await Client.SendAsync(message);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
