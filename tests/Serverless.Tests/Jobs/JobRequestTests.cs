using System.Text;
using Serverless.Core.Jobs;

namespace Serverless.Tests.Jobs;

public sealed class JobRequestTests
{
    [Fact]
    public void Parse_FullMessage_ReadsEveryField()
    {
        var request = JobRequest.Parse(Encoding.UTF8.GetBytes("""
            {"id":"j-1","model":"iris-mlp","version":"1","input":"in.csv","output":"out","format":"csv",
             "inputs":{"features":["a","b","c","d"]},"outputs":["label"],"batch_size":64,"max_error_rate":0.2}
            """));

        Assert.Equal(("j-1", "iris-mlp", 1L, JobFormat.Csv, 64, 0.2), (request.Id, request.Model, request.Version!.Value, request.Format, request.BatchSize!.Value, request.MaxErrorRate!.Value));
        Assert.Equal(["a", "b", "c", "d"], request.Inputs["features"]);
        Assert.Equal(["label"], request.Outputs);
    }

    [Theory]
    [InlineData("""{"input":"a","output":"b"}""", "'model' is required")]
    [InlineData("""{"model":"m","output":"b"}""", "'input' is required")]
    [InlineData("""{"model":"m","input":"a","output":"b","format":"xml"}""", "'format' 'xml'")]
    [InlineData("""{"model":"m","input":"a","output":"b","max_error_rate":2}""", "max_error_rate")]
    [InlineData("""{"model":"m","input":"a","output":"b","id":"../x"}""", "'id'")]
    [InlineData("""[1,2]""", "not valid JSON")]
    [InlineData("""{"model":"m","input":"in\u0000.jsonl","output":"b"}""", "'input' contains a control character")]
    [InlineData("""{"model":"m","input":"a","output":"out\u0000"}""", "'output' contains a control character")]
    public void Parse_InvalidMessage_ThrowsNamingTheField(string json, string expected)
    {
        var error = Assert.Throws<InvalidJobException>(() => JobRequest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expected, error.Message);
    }

    public static TheoryData<byte[]> InputsThatAreNotText() => new()
    {
        // A field name with a byte that is not UTF-8, raw and in a column list; and an escaped lone surrogate.
        Encoding.UTF8.GetBytes("""{"model":"m","input":"a","output":"b","inputs":{"features":"X"}}""").Select(b => b == (byte)'X' ? (byte)0xFF : b).ToArray(),
        Encoding.UTF8.GetBytes("""{"model":"m","input":"a","output":"b","inputs":{"features":["a","X"]}}""").Select(b => b == (byte)'X' ? (byte)0xFE : b).ToArray(),
        Encoding.UTF8.GetBytes("""{"model":"m","input":"a","output":"b","inputs":{"features":"\ud800"}}"""),
    };

    [Theory]
    [MemberData(nameof(InputsThatAreNotText))]
    public void Parse_InputsMappingNotText_ThrowsNamingTheInput(byte[] json)
    {
        var error = Assert.Throws<InvalidJobException>(() => JobRequest.Parse(json));

        Assert.Contains("'inputs.features' is not valid UTF-8 text", error.Message);
    }

    [Fact]
    public void Parse_RequestLargerThanAJobRecordKeeps_ThrowsNamingTheBound()
    {
        // Valid field by field: 60 KB of output names, as a hostile submitter sent to grow the job store.
        var outputs = string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"output_{i:D10}\""));

        var error = Assert.Throws<InvalidJobException>(() => JobRequest.Parse(Encoding.UTF8.GetBytes($$"""{"model":"m","input":"a","output":"b","outputs":[{{outputs}}]}""")));

        Assert.Contains($"more than the {JobRequest.MaxStoredBytes} a job keeps", error.Message);
    }
}
