using System.Net;
using System.Text;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>
/// How inference bodies are read: refused bodies drained so every client reads its answer, the model checked before
/// anything is buffered, the concurrency slot taken only once the body is in, and bytes buffered across requests capped.
/// </summary>
public sealed class RequestBodyTests
{
    private const int OneMiB = 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Infer_BodyFourTimesOverLimitSentWholeBeforeReading_Gets413Json(bool declaredLength)
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels), ("Inference:MaxRequestBytes", OneMiB.ToString()));
        await using var connection = await RawHttpConnection.OpenAsync(host.Address);
        const long body = 4L * OneMiB;

        // As Python's urllib and tritonclient do: the whole body goes out before anything is read.
        await connection.SendHeadAsync("/v2/models/iris-mlp/infer", declaredLength ? body : null);
        var sent = declaredLength ? await connection.SendFillAsync(body) : await SendChunkedAsync(connection, body);
        var response = await connection.ReadResponseAsync();

        Assert.Equal(body, sent);
        Assert.Equal(413, response.Status);
        Assert.Contains("Inference:MaxRequestBytes", response.Error);
    }

    [Theory]
    [InlineData("/v2/models/iris-mlp/infer", "gzip")]
    [InlineData("/jobs", "br")]
    [InlineData("/v2/repository/index", "identity, deflate")]
    public async Task Post_CompressedBody_Gets415NamingTheEncoding(string path, string encoding)
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var coding in encoding.Split(", "))
        {
            content.Headers.ContentEncoding.Add(coding);
        }

        var response = await host.Client.PostAsync(path, content);

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, $"Content-Encoding '{encoding.Split(", ")[^1]}' are not accepted");
    }

    [Fact]
    public async Task Infer_IdentityContentEncoding_IsServed()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        var content = new StringContent(IrisTwoRows, Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add("identity");

        var response = await host.Client.PostAsync("/v2/models/iris-mlp/infer", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Infer_DataBeforeOrAfterItsShape_SameAnswer()
    {
        // Data after the name, shape and datatype is decoded as the body is read; before them, found first and decoded
        // later. Both ways, with 17-digit numbers (numpy's float32 values) and a comment inside the data, the same answer.
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        const string data = "[[5.099999904632568, 3.5, 1.399999976158142, 0.20000000298023224], [6.2, /* second */ 2.9, 4.3, 1.3]]";

        var after = await host.Client.InferAsync("iris-mlp", $$"""{"inputs": [{"name": "features", "shape": [2, 4], "datatype": "FP32", "data": {{data}}}]}""");
        var before = await host.Client.InferAsync("iris-mlp", $$"""{"inputs": [{"data": {{data}}, "datatype": "FP32", "shape": [2, 4], "name": "features"}]}""");

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(await after.Content.ReadAsStringAsync(), await before.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Infer_ClientSendingPastTheDrainCap_IsCutOff()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Inference:MaxRequestBytes", OneMiB.ToString()), ("Inference:RefusedBodyDrainBytes", OneMiB.ToString()));
        await using var connection = await RawHttpConnection.OpenAsync(host.Address);
        const long endless = 1024L * OneMiB;

        await connection.SendHeadAsync("/v2/models/iris-mlp/infer", endless);
        var sent = await connection.SendFillAsync(endless);

        // The server stopped reading after about 2 MiB (the limit plus the drain cap) and closed; socket buffers take a few more.
        Assert.True(sent < 64L * OneMiB, $"the server read {sent} bytes of a refused body");
    }

    [Fact]
    public async Task Infer_UnknownModelWithLargeBody_404BeforeAnyOfTheBodyIsRead()
    {
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));
        await using var connection = await RawHttpConnection.OpenAsync(host.Address);

        // Kestrel sends "100 Continue" only once the body is read: the first answer must be the 404 itself.
        await connection.SendHeadAsync("/v2/models/no-such-model/infer", 60L * OneMiB, "Expect: 100-continue");
        var response = await connection.ReadResponseAsync();

        Assert.Equal(404, response.Status);
        Assert.StartsWith("Request for unknown model: 'no-such-model' is not found", response.Error);
    }

    [Fact]
    public async Task Infer_SlowUploadInFlight_OtherCallsToTheModelStillServed()
    {
        // One slot and no queue: a call holding the slot makes any other call to the model a 503 at once.
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Metering:ModelConcurrency", "1"), ("Metering:ModelQueueLength", "0"));
        await using var slow = await RawHttpConnection.OpenAsync(host.Address);
        var body = Encoding.UTF8.GetBytes(IrisTwoRows);
        await slow.SendHeadAsync("/v2/models/iris-mlp/infer", body.Length, "Expect: 100-continue");
        // The server has started reading the slow call's body.
        Assert.Equal(100, (await slow.ReadResponseAsync()).Status);

        var other = await host.Client.InferAsync("iris-mlp", IrisTwoRows);
        await slow.SendAsync(body);
        var slowResponse = await slow.ReadResponseAsync();

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(200, slowResponse.Status);
    }

    [Fact]
    public async Task Infer_BufferedBytesOverTheCap_Returns503WithRetryAfterThenServes()
    {
        const int bodyBytes = 60 * 1024;
        await using var host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels),
            ("Inference:MaxRequestBytes", (64 * 1024).ToString()), ("Inference:MaxBufferedRequestBytes", (100 * 1024).ToString()));
        var padded = Encoding.UTF8.GetBytes(IrisTwoRows.PadRight(bodyBytes));
        await using var held = await RawHttpConnection.OpenAsync(host.Address);
        await held.SendHeadAsync("/v2/models/iris-mlp/infer", padded.Length, "Expect: 100-continue");
        // Its 60 KiB are reserved before the server asks for them.
        Assert.Equal(100, (await held.ReadResponseAsync()).Status);

        var refused = await host.Client.InferAsync("iris-mlp", IrisTwoRows.PadRight(bodyBytes));
        await held.SendAsync(padded);
        var heldResponse = await held.ReadResponseAsync();
        var after = await host.Client.InferAsync("iris-mlp", IrisTwoRows.PadRight(bodyBytes));

        await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "Inference:MaxBufferedRequestBytes");
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.Equal(200, heldResponse.Status);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static async Task<long> SendChunkedAsync(RawHttpConnection connection, long total)
    {
        const int chunk = 64 * 1024;
        var frame = Encoding.ASCII.GetBytes($"{chunk:X}\r\n").Concat(Enumerable.Repeat((byte)' ', chunk)).Concat("\r\n"u8.ToArray()).ToArray();
        long sent = 0;
        try
        {
            for (; sent < total; sent += chunk)
            {
                await connection.SendAsync(frame);
            }
            await connection.SendAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException)
        {
        }
        return sent;
    }
}
