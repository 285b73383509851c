using System.Net;
using System.Text.Json;
using Serverless.Testing;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>Every Open Inference Protocol endpoint against the real app serving the sample repository folder.</summary>
public sealed class HttpApiTests(SampleServerFixture server) : IClassFixture<SampleServerFixture>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task Health_LiveAndReadyWithoutPreload_Return200()
    {
        Assert.True((await (await _client.GetAsync("/v2/health/live")).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("live").GetBoolean());
        await WaitForReadyAsync(_client);
    }

    [Fact]
    public async Task ServerMetadata_ListsExtensions()
    {
        var json = await (await _client.GetAsync("/v2")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("serverless", json.GetProperty("name").GetString());
        Assert.Contains("model_repository", json.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("binary_tensor_data", json.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ModelMetadata_DescribesGraphWithDynamicBatchAndProvider()
    {
        var json = await (await _client.GetAsync("/v2/models/iris-mlp")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("onnxruntime_onnx", json.GetProperty("platform").GetString());
        Assert.Equal(["1"], json.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var input = json.GetProperty("inputs")[0];
        Assert.Equal("features", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 4L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["probabilities", "label"], json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("CPUExecutionProvider", json.GetProperty("properties").GetProperty("execution_provider").GetString());

        var versioned = await (await _client.GetAsync("/v2/models/iris-mlp/versions/1")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("iris-mlp", versioned.GetProperty("name").GetString());
    }

    [Fact]
    public async Task ModelReady_LoadsAndReportsReady()
    {
        var json = await (await _client.GetAsync("/v2/models/linear-regressor/versions/1/ready")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(json.GetProperty("ready").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/models/linear-regressor/ready")).StatusCode);
    }

    [Fact]
    public async Task Infer_ClientAcceptsGzip_ResponseIsNotCompressed()
    {
        // Compressing tensors costs more CPU than it saves on the wire at inference sizes; it is not on the hot path.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris-mlp/infer") { Content = Json(IrisTwoRows) };
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Infer_IrisRows_ReturnsProbabilitiesAndLabels()
    {
        var json = await (await _client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("iris-mlp", json.GetProperty("model_name").GetString());
        Assert.Equal("1", json.GetProperty("model_version").GetString());
        Assert.Equal("r1", json.GetProperty("id").GetString());
        var outputs = json.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        var probabilities = outputs["probabilities"];
        Assert.Equal("FP32", probabilities.GetProperty("datatype").GetString());
        Assert.Equal([2L, 3L], probabilities.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var p = probabilities.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(1.0, p[0] + p[1] + p[2], 4);
        var labels = outputs["label"].GetProperty("data").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        Assert.Equal("INT64", outputs["label"].GetProperty("datatype").GetString());
        // Row 1 is a textbook setosa, row 2 a textbook virginica.
        Assert.Equal([0L, 2L], labels);
    }

    [Fact]
    public async Task Infer_NestedDataAndVersionedPath_SameAnswerAsFlat()
    {
        var nested = IrisTwoRows.Replace("[5.1,3.5,1.4,0.2,6.7,3.0,5.2,2.3]", "[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]");

        var flat = await (await _client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
        var versioned = await (await _client.PostAsync("/v2/models/iris-mlp/versions/1/infer", Json(nested))).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(flat.GetProperty("outputs").GetRawText(), versioned.GetProperty("outputs").GetRawText());
    }

    [Fact]
    public async Task Infer_NamedOutput_ReturnsOnlyThatOutput()
    {
        var body = IrisTwoRows.TrimEnd().TrimEnd('}') + ",\"outputs\":[{\"name\":\"label\"}]}";

        var json = await (await _client.InferAsync("iris-mlp", body)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(["label"], json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests() => new()
    {
        { "iris-mlp", "{\"inputs\":[", HttpStatusCode.BadRequest, "not valid JSON" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"nope\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}", HttpStatusCode.BadRequest, "unexpected inference input 'nope' for model 'iris-mlp'" },
        { "iris-mlp", "{\"inputs\":[]}", HttpStatusCode.BadRequest, "expected 1 inputs but got 0 inputs for model 'iris-mlp': input 'features' is missing" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"INT32\",\"data\":[1,2,3,4]}]}", HttpStatusCode.BadRequest, "inference input 'features' data-type is 'INT32', but model 'iris-mlp' expects 'FP32'" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,5],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]}", HttpStatusCode.BadRequest, "unexpected shape for input 'features' for model 'iris-mlp'. Expected [-1,4], got [1,5]: they differ at dimension 1" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}", HttpStatusCode.BadRequest, "got [4]: rank 1, model expects rank 2" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}", HttpStatusCode.BadRequest, "4 elements but shape [2,4] needs 8" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[65,4],\"datatype\":\"FP32\",\"data\":[[" + string.Join("],[", Enumerable.Repeat("1,2,3,4", 65)) + "]]}]}", HttpStatusCode.BadRequest, "exceeds the model's max_batch_size 64" },
        { "iris-mlp", IrisTwoRows.TrimEnd().TrimEnd('}') + ",\"outputs\":[{\"name\":\"nope\"}]}", HttpStatusCode.BadRequest, "unexpected inference output 'nope' for model 'iris-mlp'" },
        { "no-such-model", IrisTwoRows, HttpStatusCode.NotFound, "Request for unknown model: 'no-such-model' is not found" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,1e40,4]}]}", HttpStatusCode.BadRequest, "data element 2 (1e40) is outside the range of FP32" },
        { "iris-mlp", "{\"inputs\":[{\"name\":\"features\",\"shape\":[134217727,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}", HttpStatusCode.BadRequest, "data has 4 elements but shape [134217727,4] needs 536870908" },
        { "iris-mlp", IrisTwoRows.TrimEnd() + "{\"inputs\":[]}", HttpStatusCode.BadRequest, "not valid JSON" },
        { "iris-mlp", IrisTwoRows.TrimEnd() + " trailing", HttpStatusCode.BadRequest, "not valid JSON" },
        { "iris-mlp", IrisTwoRows.TrimEnd().TrimEnd('}') + ",\"outputs\":[{\"name\":\"label\"},{\"name\":\"label\"}]}", HttpStatusCode.BadRequest, "output 'label' is asked for more than once" },
        { ".hidden", IrisTwoRows, HttpStatusCode.NotFound, "not found" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Infer_BadRequest_ReturnsJsonErrorAndServiceKeepsServing(string model, string body, HttpStatusCode status, string fragment)
    {
        await (await _client.InferAsync(model, body)).AssertErrorAsync(status, fragment);

        await (await _client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/v2/models/iris-mlp/versions/2/infer", "Request for unknown model: 'iris-mlp' version 2 is not found")]
    [InlineData("/v2/models/iris-mlp/versions/0/infer", "versions are positive integers")]
    [InlineData("/v2/models/iris-mlp/versions/latest/infer", "versions are positive integers")]
    [InlineData("/v2/models/%2E%2E%2Fetc/infer", "not found")]
    public async Task Infer_UnknownVersionOrEscapingName_Returns404(string path, string fragment)
    {
        await (await _client.PostAsync(path, Json(IrisTwoRows))).AssertErrorAsync(HttpStatusCode.NotFound, fragment);
    }

    [Fact]
    public async Task Infer_InputNameNotUtf8_Returns400NamingTheField()
    {
        var body = System.Text.Encoding.Latin1.GetBytes(IrisTwoRows.Replace("\"features\"", "\"feat\u00ffures\""));
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        await (await _client.PostAsync("/v2/models/iris-mlp/infer", content)).AssertErrorAsync(HttpStatusCode.BadRequest, "'inputs[0].name' is not valid UTF-8");
    }

    [Fact]
    public async Task UnknownRoute_Returns404JsonError()
    {
        await (await _client.GetAsync("/v3/nothing")).AssertErrorAsync(HttpStatusCode.NotFound, "is not an endpoint");
    }

    [Fact]
    public async Task WrongMethod_Returns405JsonErrorNamingTheMethod()
    {
        await (await _client.DeleteAsync("/v2/models/iris-mlp/infer")).AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "does not take DELETE");
    }

    [Fact]
    public async Task Statistics_CountSuccessesAndFailuresPerModel()
    {
        await _client.GetAsync("/v2/models/binary-classifier/ready");
        var before = await StatsAsync("binary-classifier");
        var good = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
        await (await _client.InferAsync("binary-classifier", good)).ReadJsonAsync(HttpStatusCode.OK);
        await (await _client.InferAsync("binary-classifier", good)).ReadJsonAsync(HttpStatusCode.OK);
        await _client.InferAsync("binary-classifier", good.Replace("[1,3]", "[1,4]").Replace("[1,2,3]", "[1,2,3,4]"));

        var after = await StatsAsync("binary-classifier");

        Assert.Equal(2, Count(after, "success") - Count(before, "success"));
        Assert.Equal(1, Count(after, "fail") - Count(before, "fail"));
        Assert.True(after.GetProperty("inference_stats").GetProperty("compute_infer").GetProperty("ns").GetInt64() > 0);
        var all = await (await _client.GetAsync("/v2/models/stats")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(all.GetProperty("model_stats").EnumerateArray(), s => s.GetProperty("name").GetString() == "binary-classifier");

        static long Count(JsonElement stats, string kind) => stats.GetProperty("inference_stats").GetProperty(kind).GetProperty("count").GetInt64();
    }

    [Fact]
    public async Task RepositoryIndexLoadUnload_FollowModelLifecycle()
    {
        await (await _client.PostAsync("/v2/repository/models/linear-regressor/load", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("READY", await StateAsync("linear-regressor"));

        await (await _client.PostAsync("/v2/repository/models/linear-regressor/unload", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("UNAVAILABLE", await StateAsync("linear-regressor"));

        var index = await (await _client.PostAsync("/v2/repository/index", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["all-minilm-l6-v2", "binary-classifier", "iris-mlp", "linear-regressor", "tiny-chat"],
            index.EnumerateArray().Select(e => e.GetProperty("name").GetString()).Distinct().Order());
        await (await _client.PostAsync("/v2/repository/models/nope/load", null)).AssertErrorAsync(HttpStatusCode.NotFound, "not found");
    }

    private async Task<string?> StateAsync(string model)
    {
        var index = await (await _client.PostAsync("/v2/repository/index", Json("{}"))).ReadJsonAsync(HttpStatusCode.OK);
        return index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == model).GetProperty("state").GetString();
    }

    private async Task<JsonElement> StatsAsync(string model)
    {
        var json = await (await _client.GetAsync($"/v2/models/{model}/stats")).ReadJsonAsync(HttpStatusCode.OK);
        return json.GetProperty("model_stats").EnumerateArray().Single();
    }

    internal static Task WaitForReadyAsync(HttpClient client) =>
        Eventually.TrueAsync(async () =>
        {
            using var ready = await client.GetAsync("/v2/health/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }, "the server being ready");
}
