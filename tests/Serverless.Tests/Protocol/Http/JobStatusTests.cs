using Serverless.Core.Jobs;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Tests.Protocol.Http;

public sealed class JobStatusTests
{
    private static JobRecord Job(JobState state, string shards) => new()
    {
        Id = "j",
        Request = new JobRequest { Id = "j", Model = "m", Input = "in.jsonl", Output = "out/j" },
        State = state,
        Shards = shards,
        RowsScored = 7,
    };

    [Fact]
    public void From_CancelledJobWhoseLastShardWasCountedAfterwards_ShowsCountsButNoManifestOrTotal()
    {
        var status = JobStatus.From(Job(JobState.Cancelled, "d"));

        Assert.Equal(("cancelled", 7L, 1), (status.State, status.Rows.Scored, status.Shards.Done));
        Assert.Null(status.Outputs);
        Assert.Null(status.Rows.Total);
    }

    [Fact]
    public void From_SucceededJob_ListsItsManifest() =>
        Assert.Equal("out/j/_manifest.json", JobStatus.From(Job(JobState.Succeeded, "d")).Outputs?.Manifest);
}
