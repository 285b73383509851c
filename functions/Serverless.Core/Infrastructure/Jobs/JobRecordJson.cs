using System.Text.Json;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>How both job stores serialize records and shard results: one JSON document per row or entity.</summary>
internal static class JobRecordJson
{
    public static string Serialize(JobRecord job) => JsonSerializer.Serialize(job, JobRequest.JsonOptions);

    public static JobRecord Deserialize(string json, string concurrencyToken) =>
        (JsonSerializer.Deserialize<JobRecord>(json, JobRequest.JsonOptions) ?? throw new InvalidDataException("empty job record")) with { ConcurrencyToken = concurrencyToken };

    public static string Serialize(ShardResult result) => JsonSerializer.Serialize(result, JobRequest.JsonOptions);

    public static ShardResult DeserializeShard(string json) =>
        JsonSerializer.Deserialize<ShardResult>(json, JobRequest.JsonOptions) ?? throw new InvalidDataException("empty shard result");
}
