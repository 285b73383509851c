using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Serverless.Functions.Hosting;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>
/// The app as its own process, killed (not stopped) while calls are in flight: after a restart on the same data
/// folder, every call that was answered 2xx has its usage record.
/// </summary>
public sealed class MeteringDurabilityTests : IDisposable
{
    private const int SuccessesBeforeKill = 300;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "serverless-durability-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Infer_ProcessKilledWithCallsInFlight_EverySuccessHasItsRecordAfterRestart()
    {
        var succeeded = new ConcurrentBag<string>();
        using (var app = await AppProcess.StartAsync(_dataDirectory))
        {
            using var stop = new CancellationTokenSource();
            var next = 0;
            var workers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var id = $"call-{Interlocked.Increment(ref next)}";
                    try
                    {
                        if (await MeteredApi.InferAsync(app.Client, "linear-regressor", id, key: null) == HttpStatusCode.OK)
                        {
                            succeeded.Add(id);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the process is gone
                    }
                    if (succeeded.Count >= SuccessesBeforeKill && !app.Killed)
                    {
                        // Killed by whichever worker sees the count first, while the others are mid-call.
                        app.Kill();
                    }
                }
            })).ToList();
            await Task.WhenAll(workers);
            Assert.True(app.Killed);
        }

        using var restarted = await AppProcess.StartAsync(_dataDirectory);
        var export = await MeteredApi.GetTextAsync(restarted.Client, "/usage/export", MeteredApi.AdminKey);
        var recorded = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Where(line => line.Contains(",success,", StringComparison.Ordinal))
            .Select(line => line.Split(',')[1]).ToHashSet();

        Assert.True(succeeded.Count >= SuccessesBeforeKill);
        var missing = succeeded.Where(id => !recorded.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {succeeded.Count} answered calls have no usage record: {string.Join(", ", missing.Take(10))}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary><c>dotnet Serverless.Functions.dll</c> from the test's build output, on a free loopback port.</summary>
    private sealed class AppProcess : IDisposable
    {
        private readonly Process _process;
        private int _killed;

        private AppProcess(Process process, HttpClient client)
        {
            _process = process;
            Client = client;
        }

        public HttpClient Client { get; }

        public bool Killed => Volatile.Read(ref _killed) == 1;

        public static async Task<AppProcess> StartAsync(string dataDirectory)
        {
            var port = Serverless.Testing.AzuriteServer.FreePort();
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    typeof(ServerlessApplication).Assembly.Location,
                    $"--urls=http://127.0.0.1:{port}",
                    $"--Storage:DataDirectory={dataDirectory}",
                    $"--Models:Repository={RepositoryPaths.SampleModels}",
                    $"--Metering:AdminKey={MeteredApi.AdminKey}",
                    "--Metering:Store=sqlite",
                    "--Logging:LogLevel:Default=Warning",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // Standalone whatever the test runner inherited: a host endpoint in the environment would start it as a worker.
            start.Environment.Remove(Serverless.Functions.Hosting.HostingModeDetection.HostEndpointVariable);
            var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) };
            var app = new AppProcess(process, client);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var live = await client.GetAsync("/v2/health/live");
                    if (live.IsSuccessStatusCode)
                    {
                        return app;
                    }
                }
                catch (HttpRequestException) when (!process.HasExited && DateTime.UtcNow < deadline)
                {
                }
                await Task.Delay(100);
            }
        }

        public void Kill()
        {
            if (Interlocked.Exchange(ref _killed, 1) == 0)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        public void Dispose()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit(10_000);
            _process.Dispose();
        }
    }
}
