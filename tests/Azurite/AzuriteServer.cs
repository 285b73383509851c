using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Serverless.Testing;

/// <summary>
/// A real Azurite (Blob, Queue, Table): installed by the build of any project that imports Azurite.targets (npm ci),
/// started on free loopback ports with its data in a temp folder, stopped and deleted on dispose.
/// Compiled into the tests and the benchmarks alike.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's well-known development account key (public, documented by Microsoft).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? _process;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "serverless-azurite-" + Guid.NewGuid().ToString("N"));

    public int BlobPort { get; private set; }
    public int QueuePort { get; private set; }
    public int TablePort { get; private set; }

    public string BlobEndpoint => $"http://127.0.0.1:{BlobPort}/devstoreaccount1";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobEndpoint};QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public async Task StartAsync()
    {
        var azuriteDirectory = typeof(AzuriteServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AzuriteDirectory").Value!;
        var script = Path.Combine(azuriteDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}: the test project's build runs 'npm ci' in {azuriteDirectory}");
        }
        Directory.CreateDirectory(_dataDirectory);
        // The ports are free when chosen, but another process can take one before Azurite binds it (tests run in
        // parallel, and some start processes of their own): Azurite then exits, and a fresh set of ports is tried.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(script))
            {
                return;
            }
            _process!.Dispose();
            _process = null;
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Azurite exited before listening, {attempt} times (ports {BlobPort}, {QueuePort}, {TablePort} last)");
            }
        }
    }

    /// <summary>Starts Azurite on three free ports; false when it exited before listening on all of them.</summary>
    private async Task<bool> TryStartAsync(string script)
    {
        (BlobPort, QueuePort, TablePort) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--silent", "--skipApiVersionCheck", "--location", _dataDirectory,
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            await Eventually.TrueAsync(async () => process.HasExited || await AcceptsAsync(port),
                $"Azurite listening on port {port}", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
            if (process.HasExited)
            {
                return false;
            }
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying Azurite; the temp folder is cleaned by the OS eventually.
        }
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
