using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;

namespace Serverless.Tests.Jobs.Infrastructure;

/// <summary>The embedded job store's bounds: jobs counted per caller, finished jobs expired with their shard results.</summary>
public sealed class SqliteJobStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("sqlite-jobs-").FullName;
    private readonly SqliteJobStore _store;

    public SqliteJobStoreTests()
    {
        _store = new SqliteJobStore(Path.Combine(_folder, "jobs.db"));
        _store.InitializeAsync().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    internal static JobRecord Job(string id, string caller, JobState state, DateTimeOffset created, DateTimeOffset? completed = null) => new()
    {
        Id = id,
        Request = new JobRequest { Id = id, Model = "m", Input = "in.jsonl", Output = "out", Caller = caller },
        State = state,
        CreatedAt = created,
        CompletedAt = completed,
        Shards = "d",
    };

    [Fact]
    public async Task CountAsync_JobsOfSeveralCallers_CountsOnlyThatCallersUpToTheLimit()
    {
        for (var i = 0; i < 5; i++)
        {
            await _store.TryCreateAsync(Job($"a{i}", "alice", JobState.Queued, Now));
        }
        await _store.TryCreateAsync(Job("b0", "bob", JobState.Queued, Now));

        Assert.Equal(5, await _store.CountAsync("alice", 100));
        Assert.Equal(3, await _store.CountAsync("alice", 3));
        Assert.Equal(1, await _store.CountAsync("bob", 100));
        Assert.Equal(0, await _store.CountAsync("carol", 100));
    }

    [Fact]
    public async Task DeleteFinishedBeforeAsync_OldFinishedJobs_DeletedWithTheirShardsAndTheRestKept()
    {
        var cutoff = Now.AddDays(-30);
        await _store.TryCreateAsync(Job("old-done", "alice", JobState.Succeeded, cutoff.AddDays(-2), cutoff.AddDays(-1)));
        await _store.SaveShardAsync(new ShardResult { JobId = "old-done", Shard = 0, Part = "part-00000.jsonl", Rows = 1, RowsScored = 1 });
        await _store.TryCreateAsync(Job("old-cancelled", "alice", JobState.Cancelled, cutoff.AddDays(-2), cutoff.AddDays(-1)));
        await _store.TryCreateAsync(Job("old-running", "alice", JobState.Running, cutoff.AddDays(-2)));
        await _store.TryCreateAsync(Job("finished-late", "alice", JobState.Failed, cutoff.AddDays(-2), cutoff.AddDays(1)));
        await _store.TryCreateAsync(Job("recent", "alice", JobState.Succeeded, Now, Now));

        var deleted = await _store.DeleteFinishedBeforeAsync(cutoff);

        Assert.Equal(2, deleted);
        Assert.Null(await _store.GetAsync("old-done"));
        Assert.Null(await _store.GetAsync("old-cancelled"));
        Assert.Empty(await _store.ListShardsAsync("old-done"));
        Assert.Equal(["finished-late", "old-running", "recent"], (await _store.ListAsync(10, null)).Select(j => j.Id).Order());
        Assert.Equal(3, await _store.CountAsync("alice", 100));
    }
}
