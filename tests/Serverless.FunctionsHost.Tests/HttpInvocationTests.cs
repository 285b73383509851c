using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Serverless.FunctionsHost.Tests.StandIn;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// HTTP functions through the ASP.NET Core integration path (request proxied to the worker's Kestrel with
/// x-ms-invocation-id, InvocationRequest with an empty RpcHttp alongside): each answer must equal the standalone app's
/// answer to the same request, and the invocation must succeed.
/// </summary>
public sealed class HttpInvocationTests(WorkerAndStandaloneFixture apps) : IClassFixture<WorkerAndStandaloneFixture>
{
    private const string IrisTwoRows = """
        {"id":"r1","inputs":[{"name":"features","shape":[2,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2,6.7,3.0,5.2,2.3]}]}
        """;

    private static readonly float[] IrisFeatures = [5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f];

    [Fact]
    public async Task Infer_JsonTwoRows_AnsweredAsStandalone()
    {
        var call = await SendToBothAsync(HttpMethod.Post, "/v2/models/iris-mlp/infer", Json(IrisTwoRows));

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("r1", body.RootElement.GetProperty("id").GetString());
        Assert.Equal(2, body.RootElement.GetProperty("outputs").EnumerateArray().First().GetProperty("shape")[0].GetInt32());
    }

    [Fact]
    public async Task InferVersion_JsonTwoRows_AnsweredAsStandalone()
    {
        var call = await SendToBothAsync(HttpMethod.Post, "/v2/models/iris-mlp/versions/1/infer", Json(IrisTwoRows));

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
    }

    [Fact]
    public async Task Infer_BinaryTensorData_AnsweredAsStandalone()
    {
        var (body, headerLength) = BinaryIrisRequest();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", headerLength.ToString(CultureInfo.InvariantCulture));

        var call = await SendToBothAsync(HttpMethod.Post, "/v2/models/iris-mlp/infer", content);

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
        Assert.NotNull(SameAnswer.Header(call.Response, "Inference-Header-Content-Length"));
    }

    [Fact]
    public async Task Infer_UnknownModel_Returns404WithErrorBodyAsStandalone()
    {
        var call = await SendToBothAsync(HttpMethod.Post, "/v2/models/no-such-model/infer", Json(IrisTwoRows));

        Assert.Equal(HttpStatusCode.NotFound, call.Response.StatusCode);
        AssertErrorBody(call);
    }

    [Fact]
    public async Task Infer_MalformedJson_Returns400WithErrorBodyAsStandalone()
    {
        var call = await SendToBothAsync(HttpMethod.Post, "/v2/models/iris-mlp/infer", Json("{\"inputs\":[{\"name\":\"features\","));

        Assert.Equal(HttpStatusCode.BadRequest, call.Response.StatusCode);
        AssertErrorBody(call);
    }

    [Fact]
    public async Task Infer_BodyOverMaxRequestBytes_Returns413WithErrorBodyAsStandalone()
    {
        var values = string.Join(",", Enumerable.Repeat("5.1,3.5,1.4,0.2", 400));
        var oversized = $$"""{"inputs":[{"name":"features","shape":[400,4],"datatype":"FP32","data":[{{values}}]}]}""";
        Assert.True(Encoding.UTF8.GetByteCount(oversized) > WorkerAndStandaloneFixture.MaxRequestBytes);

        var call = await SendToBothAsync(HttpMethod.Post, "/v2/models/iris-mlp/infer", Json(oversized));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, call.Response.StatusCode);
        AssertErrorBody(call);
    }

    [Theory]
    [InlineData("/v2/health/live")]
    [InlineData("/v2")]
    [InlineData("/v2/models/iris-mlp")]
    [InlineData("/v2/models/iris-mlp/versions/1")]
    public async Task Get_MetadataAndHealth_AnsweredAsStandalone(string path)
    {
        var call = await SendToBothAsync(HttpMethod.Get, path, content: null);

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
    }

    /// <summary>The request to the standalone app and through the stand-in host; asserts the answers equal and the invocation succeeded.</summary>
    private async Task<ProxiedCall> SendToBothAsync(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var buffered = await BufferedRequest.FromAsync(request);
        var (expected, expectedBody) = await apps.Standalone.SendAsync(buffered);
        using var again = buffered.ToMessage(new Uri(path, UriKind.Relative));

        var call = await apps.Host.SendAsync(again);

        Assert.True(call.Invocation.Result.Status == StatusResult.Types.Status.Success,
            $"{call.Function.Name}: {call.Invocation.Result.Status} {call.Invocation.Result.Exception?.Message}\n{apps.Host.Diagnostics()}");
        SameAnswer.Assert(expected, expectedBody, call);
        return call;
    }

    private static void AssertErrorBody(ProxiedCall call)
    {
        Assert.Equal("application/json", call.Response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(call.Body);
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("error").GetString()));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The two iris rows with their tensor as binary data after the JSON header, and binary outputs asked for.</summary>
    private static (byte[] Body, int HeaderLength) BinaryIrisRequest()
    {
        var data = new byte[IrisFeatures.Length * sizeof(float)];
        for (var i = 0; i < IrisFeatures.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), IrisFeatures[i]);
        }
        var header = Encoding.UTF8.GetBytes(
            """{"inputs":[{"name":"features","shape":[2,4],"datatype":"FP32","parameters":{"binary_data_size":""" + data.Length.ToString(CultureInfo.InvariantCulture)
            + """}}],"parameters":{"binary_data_output":true}}""");
        return ([.. header, .. data], header.Length);
    }
}
