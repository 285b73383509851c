using Azure.Data.Tables;
using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>The Table job store's bounds against Azurite: jobs counted per caller, finished jobs expired with their shard rows.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableJobStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task<TableJobStore> StoreAsync()
    {
        var store = new TableJobStore(new TableClient(azurite.ConnectionString, "jobs" + Guid.NewGuid().ToString("N")[..10]));
        await store.InitializeAsync();
        return store;
    }

    private static JobRecord Job(string id, string caller, JobState state, DateTimeOffset created, DateTimeOffset? completed = null) => new()
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
        var store = await StoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.TryCreateAsync(Job($"a{i}", "alice", JobState.Queued, Now));
        }
        await store.TryCreateAsync(Job("b0", "bob", JobState.Queued, Now));
        await store.SaveShardAsync(new ShardResult { JobId = "a0", Shard = 0, Part = "part-00000.jsonl" });

        Assert.Equal(5, await store.CountAsync("alice", 100));
        Assert.Equal(3, await store.CountAsync("alice", 3));
        Assert.Equal(1, await store.CountAsync("bob", 100));
    }

    [Fact]
    public async Task DeleteFinishedBeforeAsync_OldFinishedJobs_DeletedWithTheirShardsAndTheRestKept()
    {
        var store = await StoreAsync();
        var cutoff = Now.AddDays(-30);
        await store.TryCreateAsync(Job("old-done", "alice", JobState.Succeeded, cutoff.AddDays(-2), cutoff.AddDays(-1)));
        await store.SaveShardAsync(new ShardResult { JobId = "old-done", Shard = 0, Part = "part-00000.jsonl", Rows = 1, RowsScored = 1 });
        await store.TryCreateAsync(Job("old-cancelled", "alice", JobState.Cancelled, cutoff.AddDays(-2), cutoff.AddDays(-1)));
        await store.TryCreateAsync(Job("old-running", "alice", JobState.Running, cutoff.AddDays(-2)));
        await store.TryCreateAsync(Job("finished-late", "alice", JobState.Failed, cutoff.AddDays(-2), cutoff.AddDays(1)));
        await store.TryCreateAsync(Job("recent", "alice", JobState.Succeeded, Now, Now));

        var deleted = await store.DeleteFinishedBeforeAsync(cutoff);

        Assert.Equal(2, deleted);
        Assert.Null(await store.GetAsync("old-done"));
        Assert.Null(await store.GetAsync("old-cancelled"));
        Assert.Empty(await store.ListShardsAsync("old-done"));
        Assert.Equal(3, await store.CountAsync("alice", 100));
        Assert.NotNull(await store.GetAsync("old-running"));
        Assert.NotNull(await store.GetAsync("finished-late"));
    }
}
