using System.Diagnostics;
using Serverless.FunctionsHost.Tests.StandIn;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;
using Xunit.Abstractions;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// A cold worker under the host: worker process start → StartStream → WorkerInitResponse → every function indexed and
/// loaded, counted from the process's start as the OS recorded it (10 ms clock ticks); the worker's own start-up line
/// (Hosting/StartupPhases) goes to the host's log stream, not its console. The numbers go to the test output
/// (<c>dotnet test --logger "console;verbosity=detailed"</c>); nothing is asserted about them, only that every step
/// succeeds.
/// </summary>
public sealed class WorkerStartupTimingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Handshake_ColdWorker_CompletesEveryStepAndReportsHowLongEachTook()
    {
        using var data = new TempDirectory();

        await using var host = await StandInHost.StartAsync(AppSettings.Sample(data.Path));
        var startStream = DateTime.Now;
        var processStarted = Process.GetProcessById(host.Worker.Id).StartTime;
        var init = await host.InitAsync();
        var initialized = DateTime.Now;
        var metadata = await host.GetMetadataAsync();
        foreach (var function in metadata.FunctionMetadataResults)
        {
            Assert.Equal(StatusResult.Types.Status.Success, (await host.LoadAsync(function)).Result.Status);
        }
        var loaded = DateTime.Now;

        Assert.Equal(StatusResult.Types.Status.Success, init.Result.Status);
        Assert.Equal(StatusResult.Types.Status.Success, metadata.Result.Status);
        output.WriteLine($"worker start -> StartStream {(startStream - processStarted).TotalMilliseconds:F0} ms, " +
            $"-> WorkerInitResponse {(initialized - processStarted).TotalMilliseconds:F0} ms, " +
            $"-> {metadata.FunctionMetadataResults.Count} functions indexed and loaded {(loaded - processStarted).TotalMilliseconds:F0} ms");
    }
}
