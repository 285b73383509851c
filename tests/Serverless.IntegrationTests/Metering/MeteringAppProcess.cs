using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Serverless.Functions.Hosting;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>
/// <c>dotnet Serverless.Functions.dll</c> from the test's build output as a process of its own, on a loopback port
/// Kestrel picks, so a test can kill it (not stop it) and start another on the same data folder.
/// </summary>
internal sealed partial class MeteringAppProcess : IDisposable
{
    private readonly Process _process;
    private int _killed;

    private MeteringAppProcess(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    public bool Killed => Volatile.Read(ref _killed) == 1;

    /// <param name="settings">Configuration keys and values beyond the data folder, the sample models and the admin key.</param>
    public static async Task<MeteringAppProcess> StartAsync(string dataDirectory, params (string Key, string Value)[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                typeof(ServerlessApplication).Assembly.Location,
                // Port 0: Kestrel binds a free one and the lifetime log line tells which, so no other process can take
                // it between choosing and binding.
                "--urls=http://127.0.0.1:0",
                $"--Storage:DataDirectory={dataDirectory}",
                $"--Models:Repository={RepositoryPaths.SampleModels}",
                $"--Metering:AdminKey={MeteredApi.AdminKey}",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        // Standalone whatever the test runner inherited: a host endpoint in the environment would start it as a worker.
        start.Environment.Remove(HostingModeDetection.HostEndpointVariable);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null && ListeningLine().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["address"].Value));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        try
        {
            if (await Task.WhenAny(listening.Task, exited).WaitAsync(TimeSpan.FromSeconds(60)) != listening.Task)
            {
                throw new InvalidOperationException($"the app exited with code {process.ExitCode} before listening");
            }
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
            throw;
        }
        var client = new HttpClient { BaseAddress = await listening.Task, Timeout = TimeSpan.FromMinutes(1) };
        return new MeteringAppProcess(process, client);
    }

    /// <summary>
    /// 32 concurrent callers infer on linear-regressor with request ids call-1, call-2, ...; once
    /// <paramref name="successesBeforeKill"/> have been answered 200, whichever caller sees it first kills the process
    /// while the others are mid-call. Returns the ids answered 200.
    /// </summary>
    public async Task<IReadOnlyCollection<string>> CallUntilKilledAsync(int successesBeforeKill)
    {
        var succeeded = new ConcurrentBag<string>();
        var next = 0;
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var id = $"call-{Interlocked.Increment(ref next)}";
                try
                {
                    if (await MeteredApi.InferAsync(Client, "linear-regressor", id, key: null) == HttpStatusCode.OK)
                    {
                        succeeded.Add(id);
                    }
                }
                catch (HttpRequestException)
                {
                    return; // the process is gone
                }
                if (succeeded.Count >= successesBeforeKill && !Killed)
                {
                    Kill();
                }
            }
        })).ToList();
        await Task.WhenAll(callers);
        return succeeded;
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

    [GeneratedRegex(@"Now listening on: (?<address>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
