using System.Text.Json;

namespace Serverless.Core.Jobs;

/// <summary>
/// One shard of a planned job on the jobs queue: <c>{"job_id": "...", "shard": 3}</c>. The byte range follows from
/// the job record, so a message stays tiny and a duplicate names exactly the same work.
/// </summary>
public sealed record ShardMessage(string JobId, int Shard)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new { job_id = JobId, shard = Shard });

    /// <summary>A shard message has <c>job_id</c> and <c>shard</c>; anything else on the queue is a job submission.</summary>
    public static bool TryParse(JsonElement message, out ShardMessage? shard)
    {
        shard = null;
        if (message.ValueKind == JsonValueKind.Object
            && message.TryGetProperty("job_id", out var job) && job.ValueKind == JsonValueKind.String
            && message.TryGetProperty("shard", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var number) && number >= 0)
        {
            shard = new ShardMessage(job.GetString()!, number);
            return true;
        }
        return false;
    }

    public string PartName(JobFormat format) => $"part-{Shard:D5}.{Extension(format)}";

    public string ErrorPartName => $"_errors/part-{Shard:D5}.jsonl";

    public static string Extension(JobFormat format) => format switch
    {
        JobFormat.Csv => "csv",
        JobFormat.Parquet => "parquet",
        _ => "jsonl",
    };
}
