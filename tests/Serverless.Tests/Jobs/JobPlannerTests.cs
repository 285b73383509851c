using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Jobs;

namespace Serverless.Tests.Jobs;

/// <summary>Submitting and planning jobs: what a caller may store, and plain answers for inputs that cannot be planned.</summary>
public sealed class JobPlannerTests : IDisposable
{
    private readonly JobTestPipeline _jobs = new(new JobsOptions { MaxJobsPerCaller = 2 });

    public void Dispose() => _jobs.Dispose();

    private JobRequest Request(string caller, string? id = null, string input = "in.jsonl", JobFormat format = JobFormat.Jsonl) =>
        new() { Id = id, Model = "m", Input = input, Output = "out/" + Guid.NewGuid().ToString("N"), Caller = caller, Format = format };

    [Fact]
    public async Task SubmitAsync_CallerAtMaxJobsPerCaller_Refused429NamingTheSettingAndNothingStored()
    {
        _jobs.WriteInput("callers/alice/in.jsonl", "{\"x\": 1}\n"u8.ToArray());
        await _jobs.Planner.SubmitAsync(Request("alice"));
        await _jobs.Planner.SubmitAsync(Request("alice"));

        var refused = await Assert.ThrowsAsync<JobLimitReachedException>(() => _jobs.Planner.SubmitAsync(Request("alice")));

        Assert.Equal(429, ServerlessException.StatusOf(refused, CancellationToken.None));
        Assert.Contains("Jobs:MaxJobsPerCaller", refused.Message);
        Assert.Contains("Jobs:RetentionDays", refused.Message);
        Assert.Equal(2, await _jobs.Store.CountAsync("alice", 100));
    }

    [Fact]
    public async Task SubmitAsync_OtherCallerAndResubmittedIdAtTheCap_StillAnswered()
    {
        _jobs.WriteInput("callers/alice/in.jsonl", "{\"x\": 1}\n"u8.ToArray());
        _jobs.WriteInput("callers/bob/in.jsonl", "{\"x\": 1}\n"u8.ToArray());
        var first = await _jobs.Planner.SubmitAsync(Request("alice", id: "first"));
        await _jobs.Planner.SubmitAsync(Request("alice"));

        var again = await _jobs.Planner.SubmitAsync(Request("alice", id: "first"));
        var bobs = await _jobs.Planner.SubmitAsync(Request("bob"));

        Assert.Equal((first.Id, first.CreatedAt), (again.Id, again.CreatedAt));
        Assert.Equal("bob", bobs.Request.Owner);
    }

    [Fact]
    public async Task SubmitAsync_SubmissionThatFailsAnyCheck_StoresNothing()
    {
        _jobs.WriteInput("callers/alice/in.jsonl", "{\"x\": 1}\n"u8.ToArray());

        await Assert.ThrowsAsync<InvalidJobException>(() => _jobs.Planner.SubmitAsync(Request("alice", input: "../../etc/passwd")));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => _jobs.Planner.SubmitAsync(Request("alice") with { Model = "no-such-model" }));

        Assert.Empty(await _jobs.Store.ListAsync(10, caller: null));
    }

    [Fact]
    public async Task PlanAsync_ParquetWithDamagedFooter_FailsTheJobOnceNamingTheFileInPlainWords()
    {
        // Both markers and a footer length in place, garbage where the footer's Thrift structure should be.
        var garbage = Enumerable.Range(0, 64).Select(i => (byte)(i * 37 + 11)).ToArray();
        var file = new List<byte>();
        file.AddRange("PAR1"u8.ToArray());
        file.AddRange(garbage);
        file.AddRange(BitConverter.GetBytes(garbage.Length));
        file.AddRange("PAR1"u8.ToArray());
        _jobs.WriteInput("damaged.parquet", [.. file]);

        // Returning (not throwing) is what completes the queue message: it is not tried again.
        await _jobs.Planner.PlanAsync(Request("anonymous", id: "damaged", input: "damaged.parquet", format: JobFormat.Parquet), "message");

        var job = await _jobs.Store.GetAsync("damaged");
        Assert.Equal(JobState.Failed, job!.State);
        Assert.Equal("input 'damaged.parquet' is not a readable Parquet file: its footer (the schema and row-group index at the end of the file) is damaged or cut short", job.Error);
    }

    [Theory]
    [InlineData("not parquet at all, just some text", "it does not begin and end with the Parquet marker 'PAR1'")]
    [InlineData("PAR1", "it is 4 bytes, and a Parquet file holds at least 12")]
    public async Task PlanAsync_FileThatIsNotParquet_FailsTheJobSayingWhy(string content, string reason)
    {
        _jobs.WriteInput("text.parquet", Encoding.UTF8.GetBytes(content));

        await _jobs.Planner.PlanAsync(Request("anonymous", id: "text", input: "text.parquet", format: JobFormat.Parquet), "message");

        var job = await _jobs.Store.GetAsync("text");
        Assert.Equal(JobState.Failed, job!.State);
        Assert.Equal($"input 'text.parquet' is not a Parquet file: {reason}", job.Error);
    }
}
