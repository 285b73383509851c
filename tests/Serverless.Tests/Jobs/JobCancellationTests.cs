using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Errors;
using Serverless.Core.Jobs;
using Serverless.Testing;

namespace Serverless.Tests.Jobs;

/// <summary>Cancelling a job: it settles at once with the counts so far, and only rows scored are ever billed.</summary>
public sealed class JobCancellationTests : IDisposable
{
    private readonly JobTestPipeline _jobs = new();

    public void Dispose() => _jobs.Dispose();

    private async Task<JobRecord> RunningJobAsync(string id, string shards = "...")
    {
        var job = new JobRecord
        {
            Id = id,
            Request = new JobRequest { Id = id, Model = "m", Input = "in.jsonl", Output = "out/" + id, Caller = "alice" },
            State = JobState.Running,
            CreatedAt = _jobs.Time.GetUtcNow(),
            Shards = shards,
            ModelVersion = 1,
        };
        await _jobs.Store.TryCreateAsync(job);
        return (await _jobs.Store.GetAsync(id))!;
    }

    private static ShardResult Result(string job, int shard, long scored) =>
        new() { JobId = job, Shard = shard, Part = $"part-{shard:D5}.jsonl", Rows = scored, RowsScored = scored };

    [Fact]
    public async Task CancelAsync_RunningJob_SettlesCancelledWithTheCountsSoFar()
    {
        var job = await RunningJobAsync("j");
        await _jobs.Completion.CompleteShardAsync(job, Result("j", 0, 10));
        _jobs.Time.Advance(TimeSpan.FromMinutes(1));

        var cancelled = await _jobs.Completion.CancelAsync("j");

        Assert.Equal((JobState.Cancelled, 10L, 1), (cancelled.State, cancelled.RowsScored, cancelled.ShardsDone));
        Assert.Equal(_jobs.Time.GetUtcNow(), cancelled.CompletedAt);
        Assert.Equal("cancelled", cancelled.State.WireName());
        Assert.True(cancelled.State.IsTerminal());
    }

    [Theory]
    [InlineData(JobState.Succeeded, "succeeded")]
    [InlineData(JobState.Failed, "failed")]
    [InlineData(JobState.Cancelled, "cancelled")]
    public async Task CancelAsync_JobAlreadySettled_Refused409NamingItsState(JobState state, string wire)
    {
        await RunningJobAsync("j");
        await _jobs.Store.UpdateAsync("j", j => j with { State = state });

        var refused = await Assert.ThrowsAsync<JobFinishedException>(() => _jobs.Completion.CancelAsync("j"));

        Assert.Equal(409, ServerlessException.StatusOf(refused, CancellationToken.None));
        Assert.Contains($"already {wire}", refused.Message);
        Assert.Equal(state, (await _jobs.Store.GetAsync("j"))!.State);
    }

    [Fact]
    public async Task CompleteShardAsync_ShardInFlightWhenTheJobWasCancelled_CountedAndBilledJobStaysCancelled()
    {
        var job = await RunningJobAsync("j");
        await _jobs.Completion.CancelAsync("j");

        await _jobs.Completion.CompleteShardAsync(job, Result("j", 1, 7));

        var settled = (await _jobs.Store.GetAsync("j"))!;
        Assert.Equal((JobState.Cancelled, 7L, ".d."), (settled.State, settled.RowsScored, settled.Shards));
        var billed = Assert.Single(_jobs.Usage.Recorded);
        Assert.Equal((1, 7L, "alice"), (billed.Shard, billed.RowsScored, billed.Caller));
    }

    [Fact]
    public async Task HandleAsync_JobCancelledWhileItsShardRuns_ShardStopsAtItsNextBatchUncountedAndUnbilled()
    {
        using var gate = new SemaphoreSlim(0);
        _jobs.Sessions.RunGate = gate;
        var lines = string.Concat(Enumerable.Range(0, 50).Select(i => $"{{\"x\": {i}}}\n"));
        _jobs.WriteInput("in.jsonl", System.Text.Encoding.UTF8.GetBytes(lines));
        await RunningJobAsync("j", ".");
        await _jobs.Store.UpdateAsync("j", j => j with
        {
            Request = j.Request with { Caller = null, BatchSize = 1 },
            InputBytes = lines.Length,
            ShardBytes = lines.Length,
        });
        var interval = TimeSpan.FromSeconds(_jobs.Options.Value.CancellationCheckSeconds);

        // On a thread of its own: the fake session's gate blocks the thread that runs the batch, and nothing on the way
        // there has to yield (the store and the files answer at once), so called here it blocked this test's own
        // thread, the one that opens the gate (seen once: the unit run hung).
        var handling = Task.Run(() => _jobs.Handler.HandleAsync(new ShardMessage("j", 0).ToJson(), "message", dequeueCount: 1));
        await Eventually.TrueAsync(() => _jobs.Sessions.Opened.Count == 1 && _jobs.Sessions.Opened[0].RunRows.Length == 1, "the shard's first batch running");
        await _jobs.Completion.CancelAsync("j");
        // Each look: the watch's clock moves on and one more batch may run; the shard stops once the watch has seen it.
        await Eventually.TrueAsync(() =>
        {
            _jobs.Time.Advance(interval);
            gate.Release();
            return handling.IsCompleted;
        }, "the shard stopping");

        await handling;
        var settled = (await _jobs.Store.GetAsync("j"))!;
        Assert.Equal((JobState.Cancelled, ".", 0L), (settled.State, settled.Shards, settled.RowsScored));
        Assert.Empty(_jobs.Usage.Recorded);
        Assert.InRange(_jobs.Sessions.Opened[0].RunRows.Length, 1, 49);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_jobs.Files.Root, "out", "j")));
    }

    [Fact]
    public async Task Watch_JobCancelledWhileItsShardRuns_CancelsTheShardsTokenAtTheNextLook()
    {
        await RunningJobAsync("j");
        var interval = TimeSpan.FromSeconds(_jobs.Options.Value.CancellationCheckSeconds);
        await using var watch = JobCancellationWatch.Start(_jobs.Store, "j", interval, _jobs.Time, NullLogger.Instance, CancellationToken.None);

        _jobs.Time.Advance(interval);
        await Task.Yield();
        Assert.False(watch.Token.IsCancellationRequested);
        await _jobs.Completion.CancelAsync("j");
        _jobs.Time.Advance(interval);

        await Eventually.TrueAsync(() => watch.Token.IsCancellationRequested, "the shard's token cancelled");
        Assert.True(watch.JobCancelled);
    }

    [Fact]
    public async Task Watch_InstanceStopping_CancelsTheTokenWithoutCallingTheJobCancelled()
    {
        await RunningJobAsync("j");
        using var stopping = new CancellationTokenSource();
        await using var watch = JobCancellationWatch.Start(_jobs.Store, "j", TimeSpan.FromSeconds(5), _jobs.Time, NullLogger.Instance, stopping.Token);

        await stopping.CancelAsync();

        Assert.True(watch.Token.IsCancellationRequested);
        Assert.False(watch.JobCancelled);
    }
}
