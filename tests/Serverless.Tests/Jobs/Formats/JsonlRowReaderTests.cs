using System.Text;
using Moq;
using Serverless.Core.Inference;
using Serverless.Core.Jobs;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Tests.Jobs.Formats;

/// <summary>
/// A JSONL line is one row: exactly one object, read whole. What it cannot be scored from without guessing fails that
/// row with the reason, never silently.
/// </summary>
public sealed class JsonlRowReaderTests
{
    private static readonly RowLayout Layout = CreateLayout();

    private static RowLayout CreateLayout()
    {
        // A session seam only: the layout reads the model's declared inputs and outputs.
        var session = new Mock<IModelSession>();
        session.Setup(s => s.Inputs).Returns([new TensorMetadata("features", TensorDataType.FP32, [-1, 2])]);
        session.Setup(s => s.Outputs).Returns([new TensorMetadata("score", TensorDataType.FP32, [-1, 1])]);
        var request = JobRequest.Parse("""{"model":"m","input":"in.jsonl","output":"out"}"""u8);
        return RowLayout.Create(session.Object, 0, request, [], 8);
    }

    private static (bool Read, string? Error, RowBatch Batch) Read(string line) => Read(Encoding.UTF8.GetBytes(line));

    private static (bool Read, string? Error, RowBatch Batch) Read(byte[] line)
    {
        var batch = new RowBatch(Layout);
        var read = new JsonlRowReader(Layout).TryRead(line, 0, batch, out var error);
        return (read, error, batch);
    }

    [Theory]
    [InlineData("""{"features":[1,2]}""")]
    [InlineData("""{"features":[1,2]}   """)]
    [InlineData("""{"features":[1,2]}""" + "\r")]
    [InlineData("""{"id":"a","features":[1,2],"other":{"x":[1]}}""")]
    [InlineData("""{"id":7,"features":[1,2]}""")]
    [InlineData("""{"id":null,"features":[1,2]}""")]
    public void TryRead_OneObject_IsARow(string line)
    {
        var (read, error, batch) = Read(line);

        Assert.True(read, error);
        Assert.Equal(1, batch.Count);
    }

    [Fact]
    public void TryRead_ByteOrderMarkBeforeTheObject_IsIgnored()
    {
        var (read, error, batch) = Read([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"features":[1,2]}""")]);

        Assert.True(read, error);
        Assert.Equal(1, batch.Count);
    }

    [Theory]
    [InlineData("""{"features":[1,2]}{"features":[3,4]}""", "exactly one JSON object")]
    [InlineData("""{"features":[1,2]} {"features":[3,4]}""", "exactly one JSON object")]
    [InlineData("""{"features":[1,2]}""" + "\r" + """{"features":[3,4]}""", "exactly one JSON object")]
    [InlineData("""{"features":[1,2]} trailing text""", "exactly one JSON object")]
    [InlineData("""{"features":[1,2],"features":[3,4]}""", "field 'features' appears more than once")]
    [InlineData("""{"id":{"k":1},"features":[1,2]}""", "'id' must be a string or a number, not an object")]
    [InlineData("""{"id":[1],"features":[1,2]}""", "'id' must be a string or a number, not an array")]
    [InlineData("""{"id":true,"features":[1,2]}""", "'id' must be a string or a number, not True")]
    public void TryRead_NotExactlyOneScorableObject_FailsTheRowWithItsReason(string line, string reason)
    {
        var (read, error, batch) = Read(line);

        Assert.False(read);
        Assert.Contains(reason, error);
        Assert.Equal(0, batch.Count);
    }
}
