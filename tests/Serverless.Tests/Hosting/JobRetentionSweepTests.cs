using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Jobs;
using Serverless.Testing;
using Serverless.Functions.Hosting;
using Serverless.Tests.Jobs;
using Serverless.Tests.Jobs.Infrastructure;

namespace Serverless.Tests.Hosting;

/// <summary>The retention sweep on a fake clock: expired job records go at start and at each later sweep, nothing else does.</summary>
public sealed class JobRetentionSweepTests : IDisposable
{
    private readonly JobTestPipeline _jobs = new(new JobsOptions { RetentionDays = 30, RetentionSweepMinutes = 60 });

    public void Dispose() => _jobs.Dispose();

    [Fact]
    public async Task Sweep_FinishedJobsPastRetention_DeletedAtStartAndAtTheSweepAfterTheyExpire()
    {
        var now = _jobs.Time.GetUtcNow();
        await _jobs.Store.TryCreateAsync(SqliteJobStoreTests.Job("expired", "alice", JobState.Failed, now.AddDays(-40), now.AddDays(-31)));
        await _jobs.Store.TryCreateAsync(SqliteJobStoreTests.Job("expires-tomorrow", "alice", JobState.Succeeded, now.AddDays(-30), now.AddDays(-29)));
        await _jobs.Store.TryCreateAsync(SqliteJobStoreTests.Job("running", "alice", JobState.Running, now.AddDays(-90)));
        var sweep = new JobRetentionSweep(_jobs.Store, _jobs.Options, _jobs.Time, NullLogger<JobRetentionSweep>.Instance);

        await sweep.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(async () => await _jobs.Store.GetAsync("expired") is null, "the expired job deleted at start");
            Assert.NotNull(await _jobs.Store.GetAsync("expires-tomorrow"));

            _jobs.Time.Advance(TimeSpan.FromDays(2));

            await Eventually.TrueAsync(async () => await _jobs.Store.GetAsync("expires-tomorrow") is null, "the next sweep deleting the job that expired since");
            Assert.NotNull(await _jobs.Store.GetAsync("running"));
        }
        finally
        {
            await sweep.StopAsync(CancellationToken.None);
        }
    }
}
