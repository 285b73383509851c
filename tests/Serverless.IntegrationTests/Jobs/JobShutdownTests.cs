using System.Net.Http.Json;
using Serverless.Core.Jobs;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>Stopping an embedded-mode server while a shard is stuck in a call that no cancellation reaches (as opening a FIFO was).</summary>
public sealed class JobShutdownTests
{
    [Fact]
    public async Task Stop_WhileAShardIsStuckInABlockingCall_EndsPromptlyWithoutAnException()
    {
        var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        await File.WriteAllTextAsync(Path.Combine(host.DataDirectory, "jobs", "iris.jsonl"), IrisRows.Jsonl(5));
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var unblock = new ManualResetEventSlim();
        host.GetRequiredService<JobMessageHandler>().AfterShardCommitted = _ =>
        {
            stuck.TrySetResult();
            // A synchronous wait ignores every cancellation token, as a blocking open(2) does.
            unblock.Wait();
            return Task.CompletedTask;
        };
        try
        {
            await host.Client.PostAsJsonAsync("/jobs", new { id = "stuck", model = "iris-mlp", input = "iris.jsonl", output = "out/stuck" });
            await stuck.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // Well inside the host's 30 s shutdown budget: before, stopping waited it out and then threw TaskCanceledException.
            await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            unblock.Set();
        }
    }
}
