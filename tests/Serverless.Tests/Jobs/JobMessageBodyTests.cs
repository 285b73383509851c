using System.Text;
using System.Text.Json;
using Serverless.Core.Jobs;

namespace Serverless.Tests.Jobs;

public sealed class JobMessageBodyTests
{
    private const string Json = """{"job_id":"j1","shard":3}""";

    [Fact]
    public void Normalize_PlainJson_Unchanged() =>
        Assert.Equal(Json, Encoding.UTF8.GetString(JobMessageBody.Normalize(Encoding.UTF8.GetBytes(Json))));

    [Fact]
    public void Normalize_Base64_Decoded() =>
        Assert.Equal(Json, Encoding.UTF8.GetString(JobMessageBody.Normalize(Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(Json))))));

    [Fact]
    public void Normalize_JsonStringHoldingJsonTwice_Unwrapped()
    {
        var twice = JsonSerializer.Serialize(JsonSerializer.Serialize(Json));

        Assert.Equal(Json, Encoding.UTF8.GetString(JobMessageBody.Normalize(Encoding.UTF8.GetBytes(twice))));
    }
}
