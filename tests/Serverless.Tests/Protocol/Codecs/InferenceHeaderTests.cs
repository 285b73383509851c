using System.Text;
using Serverless.Core.Errors;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Tests.Protocol.Codecs;

public sealed class InferenceHeaderTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"inputs\":[]}1234");

    [Fact]
    public void Split_NoHeader_WholeBodyIsJson()
    {
        var (json, binary) = InferenceHeader.Split(Body, null);

        Assert.Equal(Body.Length, json.Length);
        Assert.True(binary.IsEmpty);
    }

    [Fact]
    public void Split_HeaderLength_SplitsThereWithoutCopying()
    {
        var (json, binary) = InferenceHeader.Split(Body, "13");

        Assert.Equal("{\"inputs\":[]}", Encoding.UTF8.GetString(json.Span));
        Assert.Equal("1234", Encoding.UTF8.GetString(binary.Span));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(binary, out var segment) && segment.Array == Body && segment.Offset == 13);
    }

    [Theory]
    [InlineData("abc", "'abc' is not a positive byte count")]
    [InlineData("-1", "not a positive byte count")]
    [InlineData("0", "not a positive byte count")]
    [InlineData("18", "Inference-Header-Content-Length 18 is beyond the 17-byte request body")]
    public void Split_BadHeaderLength_ThrowsNamingTheHeader(string value, string expected)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() => InferenceHeader.Split(Body, value));

        Assert.Contains(expected, error.Message);
    }
}
