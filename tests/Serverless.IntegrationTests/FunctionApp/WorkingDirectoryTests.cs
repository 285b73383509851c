using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Serverless.Functions.Hosting;
using Serverless.Testing;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.FunctionApp;

/// <summary>
/// The app started from another working directory, as a benchmark or a process manager starts it, still reads its own
/// appsettings.json: it does not log every request at Information (Microsoft.AspNetCore is Warning there).
/// </summary>
public sealed partial class WorkingDirectoryTests : IDisposable
{
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("serverless-cwd-").FullName;

    [Fact]
    public async Task Start_FromAnotherWorkingDirectory_ReadsItsOwnSettingsAndDoesNotLogEachRequest()
    {
        var lines = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                typeof(ServerlessApplication).Assembly.Location, "--urls=http://127.0.0.1:0",
                $"--Storage:DataDirectory={Path.Combine(_elsewhere, "data")}", $"--Models:Repository={RepositoryPaths.SampleModels}",
            },
            WorkingDirectory = _elsewhere,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove(HostingModeDetection.HostEndpointVariable);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { lines.Enqueue(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { lines.Enqueue(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await Eventually.ValueAsync(() => Task.FromResult(lines.Select(l => ListeningLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups["address"].Value),
                "the app listening", TimeSpan.FromSeconds(60));
            using var client = new HttpClient { BaseAddress = new Uri(address) };

            (await client.GetAsync("/v2/health/live")).EnsureSuccessStatusCode();
            (await client.GetAsync("/v2/models/iris-mlp")).EnsureSuccessStatusCode();
            // The app's own log line for the load says the pipeline ran and logs reached the output.
            await Eventually.TrueAsync(() => lines.Any(l => l.Contains("Loaded iris-mlp", StringComparison.Ordinal)), "the model's load logged");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        // ASP.NET Core's Information line per request, which appsettings.json turns off.
        Assert.DoesNotContain(lines, l => l.Contains("Request starting", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://\S+)")]
    private static partial Regex ListeningLine();

    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);
}
