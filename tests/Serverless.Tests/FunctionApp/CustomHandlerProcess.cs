using System.Diagnostics;
using System.Net;
using Serverless.Testing;

namespace Serverless.Tests.FunctionApp;

/// <summary>
/// Starts the published app the way the Functions host does (the executable and arguments from host.json, in the
/// publish folder, with FUNCTIONS_CUSTOMHANDLER_PORT set) and waits for the start-up probe to answer.
/// </summary>
public sealed class CustomHandlerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private CustomHandlerProcess(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public static async Task<CustomHandlerProcess> StartAsync(string appDirectory, string executable, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var port = AzuriteServer.FreePort();
        var start = new ProcessStartInfo(executable) { WorkingDirectory = appDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var handler = new CustomHandlerProcess(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                // The host's start-up probe: it waits until the handler answers on its port.
                if ((await handler.Client.GetAsync("/")).StatusCode == HttpStatusCode.OK)
                {
                    return handler;
                }
            }
            catch (HttpRequestException) when (!process.HasExited && DateTime.UtcNow < deadline)
            {
            }
            Assert.False(process.HasExited, "the custom handler exited during start-up");
            Assert.True(DateTime.UtcNow < deadline, "the custom handler did not answer its start-up probe in 60 s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
