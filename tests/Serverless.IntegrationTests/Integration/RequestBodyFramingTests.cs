using System.Text;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary>
/// Chunked framing the server cannot follow is the client's error on every route that reads a body: a 400 naming the
/// framing, never a 500 (Kestrel reports a chunk size of 2^31 or more as an IOException from the body's reader).
/// </summary>
public sealed class RequestBodyFramingTests
{
    [Theory]
    [InlineData("/v2/models/iris-mlp/infer", "80000000")]
    [InlineData("/v2/models/iris-mlp/infer", "FFFFFFFFFF")]
    [InlineData("/jobs", "80000000")]
    [InlineData("/jobs", "FFFFFFFFFF")]
    [InlineData("/v2/repository/index", "80000000")]
    [InlineData("/v2/repository/index", "FFFFFFFFFF")]
    public async Task Post_ChunkSizeOf2To31OrMore_Gets400NamingTheFraming(string path, string chunkSize)
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        await using var connection = await RawHttpConnection.OpenAsync(host.Address);

        await connection.SendHeadAsync(path, contentLength: null);
        await connection.SendAsync(Encoding.ASCII.GetBytes($"{chunkSize}\r\n{{\"id\":"));
        var response = await connection.ReadResponseAsync();

        Assert.Equal(400, response.Status);
        Assert.Contains("chunk", response.Error, StringComparison.OrdinalIgnoreCase);
    }
}
