using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serverless.FunctionsHost.Tests.StandIn;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;

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

    [Theory]
    [InlineData("GET", "/v3/models")]
    [InlineData("POST", "/v2/models/iris-mlp/infer/extra")]
    public async Task UnknownPath_Returns404WithErrorBodyAsStandalone(string method, string path)
    {
        var call = await SendToBothAsync(new HttpMethod(method), path, null);

        Assert.Equal(HttpStatusCode.NotFound, call.Response.StatusCode);
        Assert.Equal("Unmatched", call.Function.Name);
        AssertErrorBody(call);
    }

    [Fact]
    public async Task OpenApiDocument_Get_Returns200JsonAsStandalone()
    {
        var call = await SendToBothAsync(HttpMethod.Get, "/openapi.json", null);

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
        using var body = JsonDocument.Parse(call.Body);
        Assert.StartsWith("3.0", body.RootElement.GetProperty("openapi").GetString());
    }

    [Theory]
    [InlineData("/docs/", "ApiReference", "text/html")]
    [InlineData("/docs/scalar.js", "ApiReferenceAsset", "text/javascript")]
    [InlineData("/console", "Console", "text/html")]
    [InlineData("/console/console.css", "ConsoleAsset", "text/css")]
    public async Task ApiReference_PageAndScript_Return200AsStandalone(string path, string function, string contentType)
    {
        var call = await SendToBothAsync(HttpMethod.Get, path, null);

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
        Assert.Equal(function, call.Function.Name);
        Assert.Equal(contentType, call.Response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("text/html,application/xhtml+xml,*/*;q=0.8", HttpStatusCode.Redirect)]
    [InlineData("application/json", HttpStatusCode.OK)]
    public async Task Root_ByAccept_BrowserRedirectedToConsoleClientGetsLandingJsonAsStandalone(string accept, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        var call = await SendToBothAsync(request);

        Assert.Equal("Unmatched", call.Function.Name);
        Assert.Equal(status, call.Response.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/v2/models/iris-mlp", "GET, HEAD")]
    [InlineData("PUT", "/jobs/some-job", "DELETE, GET, HEAD")]
    [InlineData("GET", "/v2/models/iris-mlp/infer", "POST")]
    [InlineData("PUT", "/manage/callers", "GET, HEAD, POST")]
    public async Task KnownPathOtherVerb_Returns405WithAllowAndErrorBodyAsStandalone(string method, string path, string allow)
    {
        var call = await SendToBothAsync(new HttpMethod(method), path, null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, call.Response.StatusCode);
        Assert.Equal(allow, SameAnswer.Header(call.Response, "Allow"));
        AssertErrorBody(call);
    }

    [Theory]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/v2/models/iris-mlp")]
    [InlineData("/v2")]
    public async Task Head_GetRoute_AnsweredLikeTheGetWithoutABodyAsStandalone(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, path);
        request.Headers.Add("api-key", WorkerAndStandaloneFixture.AdminKey);

        var call = await SendToBothAsync(request);

        Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode);
        Assert.Empty(call.Body);
    }

    // Hostile input that once got a 500: both hosts' handlers answer it with the same 400 naming the field.
    [Theory]
    [InlineData("POST", "/jobs", """{"model":"iris-mlp","input":"in\u0000.jsonl","output":"out"}""", "'input'")]
    [InlineData("GET", "/usage?to=9999-12-31", null, "to '9999-12-31'")]
    [InlineData("GET", "/usage/export?to=9999-12-31", null, "to '9999-12-31'")]
    public async Task HostileInput_Returns400NamingTheFieldAsStandalone(string method, string path, string? body, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json(body) };
        request.Headers.Add("api-key", WorkerAndStandaloneFixture.AdminKey);

        var call = await SendToBothAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, call.Response.StatusCode);
        using var error = JsonDocument.Parse(call.Body);
        Assert.Contains(field, error.RootElement.GetProperty("error").GetString());
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

    [Fact]
    public async Task Infer_ChunkedBodyOverMaxRequestBytes_Returns413WithErrorBodyAsStandalone()
    {
        var values = string.Join(",", Enumerable.Repeat("5.1,3.5,1.4,0.2", 400));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris-mlp/infer") { Content = Json($$"""{"inputs":[{"name":"features","shape":[400,4],"datatype":"FP32","data":[{{values}}]}]}""") };
        // No Content-Length: the limit is enforced while reading, not up front.
        request.Headers.TransferEncodingChunked = true;

        var call = await SendToBothAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, call.Response.StatusCode);
        AssertErrorBody(call);
        // With a Content-Length the app names the size up front ("request body of N bytes ..."); chunked, it cannot.
        Assert.StartsWith("request body is larger", JsonDocument.Parse(call.Body).RootElement.GetProperty("error").GetString());
    }

    /// <summary>
    /// One request per HTTP function, answered as standalone answers it. Error paths are chosen where they echo the
    /// route values (an unknown model, version, job, caller or key), since in worker mode those bind from the host's
    /// trigger metadata rather than from the worker's own routing. Bodies holding timings or generated ids are compared
    /// by status and Content-Type only.
    /// </summary>
    public static TheoryData<string, string, string, string?, bool> OneRequestPerFunction() => new()
    {
        { "HealthLive", "GET", "/v2/health/live", null, true },
        { "HealthReady", "GET", "/v2/health/ready", null, true },
        { "ServerMetadata", "GET", "/v2", null, true },
        { "ModelsStats", "GET", "/v2/models/stats", null, false },
        { "ModelMetadata", "GET", "/v2/models/iris-mlp", null, true },
        { "ModelVersionMetadata", "GET", "/v2/models/iris-mlp/versions/7", null, true },
        { "ModelReady", "GET", "/v2/models/no-such-model/ready", null, true },
        { "ModelVersionReady", "GET", "/v2/models/iris-mlp/versions/7/ready", null, true },
        { "ModelStats", "GET", "/v2/models/no-such-model/stats", null, true },
        { "ModelVersionStats", "GET", "/v2/models/iris-mlp/versions/7/stats", null, true },
        { "ModelConfig", "GET", "/v2/models/no-such-model/config", null, true },
        { "ModelVersionConfig", "GET", "/v2/models/iris-mlp/versions/7/config", null, true },
        { "Infer", "POST", "/v2/models/no-such-model/infer", IrisTwoRows, true },
        { "InferVersion", "POST", "/v2/models/iris-mlp/versions/7/infer", IrisTwoRows, true },
        { "RepositoryIndex", "POST", "/v2/repository/index", null, false },
        { "RepositoryLoad", "POST", "/v2/repository/models/no-such-model/load", null, true },
        { "RepositoryUnload", "POST", "/v2/repository/models/no-such-model/unload", null, true },
        { "SubmitJob", "POST", "/jobs", "{}", true },
        { "ListJobs", "GET", "/jobs?limit=abc", null, true },
        { "GetJob", "GET", "/jobs/no-such-job", null, true },
        { "CancelJob", "DELETE", "/jobs/no-such-job", null, true },
        { "Usage", "GET", "/usage?from=bad", null, true },
        { "UsageExport", "GET", "/usage/export", null, false },
        { "CreateCaller", "POST", "/manage/callers", "{}", true },
        { "ListCallers", "GET", "/manage/callers", null, true },
        { "IssueKey", "POST", "/manage/callers/no-such-caller/keys", "{}", true },
        { "RevokeKey", "DELETE", "/manage/keys/no-such-key", null, true },
        { "Metrics", "GET", "/metrics", null, false },
        { "OpenApiDocument", "GET", "/openapi.json", null, true },
        { "ApiReference", "GET", "/docs", null, true },
        { "ApiReferenceAsset", "GET", "/docs/scalar.aspnetcore.js", null, true },
        { "Console", "GET", "/console", null, true },
        { "ConsoleAsset", "GET", "/console/console.js", null, true },
        { "Unmatched", "GET", "/no/such/path", null, true },
        // The text routes' answers before any model is involved: a request missing its required field (400), an
        // unknown model (404 in OpenAI's envelope). The model list holds its time of answer.
        { "Generate", "POST", "/v2/models/no-such-model/generate", "{}", true },
        { "GenerateVersion", "POST", "/v2/models/iris-mlp/versions/7/generate", "{}", true },
        { "GenerateStream", "POST", "/v2/models/no-such-model/generate_stream", "{}", true },
        { "GenerateStreamVersion", "POST", "/v2/models/iris-mlp/versions/7/generate_stream", "{}", true },
        { "OpenAiModels", "GET", "/v1/models", null, false },
        { "OpenAiModel", "GET", "/v1/models/no-such-model", null, true },
        { "OpenAiEmbeddings", "POST", "/v1/embeddings", "{}", true },
        { "OpenAiChatCompletions", "POST", "/v1/chat/completions", "{}", true },
        { "OpenAiCompletions", "POST", "/v1/completions", "{}", true },
        { "KServeOpenAiModels", "GET", "/openai/v1/models", null, false },
        { "KServeOpenAiModel", "GET", "/openai/v1/models/iris-mlp:99", null, true },
        { "KServeOpenAiEmbeddings", "POST", "/openai/v1/embeddings", "{\"model\": 1}", true },
        { "KServeOpenAiChatCompletions", "POST", "/openai/v1/chat/completions", "{\"model\": \"iris-mlp\", \"messages\": []}", true },
        { "KServeOpenAiCompletions", "POST", "/openai/v1/completions", "{\"model\": \"iris-mlp\"}", true },
    };

    [Theory]
    [MemberData(nameof(OneRequestPerFunction))]
    public async Task Function_OneRequestWithAdminKey_AnsweredAsStandalone(string function, string method, string path, string? body, bool sameBody)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json(body) };
        request.Headers.Add("api-key", WorkerAndStandaloneFixture.AdminKey);

        var call = await SendToBothAsync(request, sameBody);

        Assert.Equal(function, call.Function.Name);
    }

    [Fact]
    public void Function_OneRequestEach_CoversEveryHttpFunctionOfTheApp()
    {
        var covered = OneRequestPerFunction().Select(row => (string)row[0]).Order(StringComparer.Ordinal);

        var http = apps.Host.Functions.Values.Where(f => f.IsHttp).Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(http, covered);
    }

    private Task<ProxiedCall> SendToBothAsync(HttpMethod method, string path, HttpContent? content) =>
        SendToBothAsync(new HttpRequestMessage(method, path) { Content = content });

    /// <summary>The request to the standalone app and through the stand-in host; asserts the answers equal and the invocation succeeded.</summary>
    private async Task<ProxiedCall> SendToBothAsync(HttpRequestMessage request, bool sameBody = true)
    {
        var buffered = await BufferedRequest.FromAsync(request);
        var (expected, expectedBody) = await apps.Standalone.SendAsync(buffered);
        using var again = buffered.ToMessage(new Uri(buffered.PathAndQuery, UriKind.Relative));

        var call = await apps.Host.SendAsync(again);

        Assert.True(call.Invocation.Result.Status == StatusResult.Types.Status.Success,
            $"{call.Function.Name}: {call.Invocation.Result.Status} {call.Invocation.Result.Exception?.Message}\n{apps.Host.Diagnostics()}");
        SameAnswer.Assert(expected, expectedBody, call, sameBody);
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
