using Serverless.Core.Errors;

namespace Serverless.Tests.Core.Errors;

public sealed class ServerPathsTests
{
    [Theory]
    [InlineData("[ErrorCode:InvalidProtobuf] Load model from /srv/models/m/1/model.onnx failed:Protobuf parsing failed.",
        "[ErrorCode:InvalidProtobuf] Load model from model.onnx failed:Protobuf parsing failed.")]
    [InlineData("Could not find file '/home/app/.local/share/serverless/model-cache/ab12/m/1/weights.bin'.", "Could not find file 'weights.bin'.")]
    [InlineData("path=C:\\data\\m\\1\\model.onnx", "path=model.onnx")]
    public void Hide_AbsolutePaths_CutToTheFileName(string message, string expected) =>
        Assert.Equal(expected, ServerPaths.Hide(message));

    [Theory]
    [InlineData("downloading from http://127.0.0.1:10000/devstoreaccount1/models failed")]
    [InlineData("0.5 rows/s, 3/4 shards")]
    public void Hide_UrlsAndRatios_LeftAlone(string message) =>
        Assert.Equal(message, ServerPaths.Hide(message));

    [Fact]
    public void Hide_TheRepositoryLocation_NamedAsTheModelRepository() =>
        Assert.Equal("model 'm': reading config.json from the model repository failed",
            ServerPaths.Hide("model 'm': reading config.json from https://acct.blob.core.windows.net/models/team failed", "https://acct.blob.core.windows.net/models/team"));
}
