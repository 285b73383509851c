using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>BYTES tensors (ONNX strings) through the real server and ONNX Runtime, in JSON and in Triton's binary layout.</summary>
public sealed class BytesTensorTests(TestModelsServerFixture server) : IClassFixture<TestModelsServerFixture>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task Infer_JsonStrings_EchoedAsBytes()
    {
        var body = """{"inputs":[{"name":"text","shape":[3],"datatype":"BYTES","data":["hello","w\u00f6rld \u2603","quote \" and \\ slash"]}]}""";

        var json = await (await _client.InferAsync(TestModelRepository.Echo, body)).ReadJsonAsync(HttpStatusCode.OK);

        var output = json.GetProperty("outputs")[0];
        Assert.Equal("same", output.GetProperty("name").GetString());
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal([3L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["hello", "w\u00f6rld \u2603", "quote \" and \\ slash"], output.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Infer_BinaryElementsWithNulAndFF_RoundTripUnchanged()
    {
        byte[][] elements = [[0x61, 0x00, 0x62], [0xFF, 0xFE, 0x00], [], Encoding.UTF8.GetBytes("plain")];
        var data = Serialize(elements);
        var header = Encoding.UTF8.GetBytes($$$"""{"inputs":[{"name":"text","shape":[4],"datatype":"BYTES","parameters":{"binary_data_size":{{{data.Length}}}}}],"outputs":[{"name":"same","parameters":{"binary_data":true}}]}""");

        var response = await _client.PostAsync($"/v2/models/{TestModelRepository.Echo}/infer", BinaryTensorMessage.Content([.. header, .. data], header.Length));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var headerLength = int.Parse(response.Headers.GetValues(BinaryTensorMessage.HeaderName).Single(), System.Globalization.CultureInfo.InvariantCulture);
        using var json = JsonDocument.Parse(bytes.AsMemory(0, headerLength));
        var output = json.RootElement.GetProperty("outputs")[0];
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal(data.Length, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(data, bytes[headerLength..]);
    }

    [Fact]
    public async Task Infer_OutputNotUtf8AskedAsJson_Returns400NamingBinary()
    {
        var data = Serialize([[0xFF]]);
        var header = Encoding.UTF8.GetBytes($$$"""{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":{{{data.Length}}}}}]}""");

        var response = await _client.PostAsync($"/v2/models/{TestModelRepository.Echo}/infer", BinaryTensorMessage.Content([.. header, .. data], header.Length));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "output 'same': BYTES element 0 is not valid UTF-8");
    }

    [Fact]
    public async Task Infer_NumbersAsText_CastToFloatAndBackToText()
    {
        var body = """{"inputs":[{"name":"text","shape":[2,2],"datatype":"BYTES","data":[["1.5","-2"],["4e2","0.25"]]}]}""";

        var json = await (await _client.InferAsync(TestModelRepository.NumbersAsText, body)).ReadJsonAsync(HttpStatusCode.OK);

        var outputs = json.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal([1.5f, -2f, 400f, 0.25f], outputs["value"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("FP32", outputs["value"].GetProperty("datatype").GetString());
        Assert.Equal("BYTES", outputs["back"].GetProperty("datatype").GetString());
        Assert.Equal([1.5f, -2f, 400f, 0.25f], outputs["back"].GetProperty("data").EnumerateArray().Select(v => float.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Infer_TextTheModelCannotCastToANumber_Returns400ThenServes()
    {
        // The model fails on the data itself: the caller's to fix, and no retry would help (was a 503 without Retry-After).
        var body = """{"inputs":[{"name":"text","shape":[1,2],"datatype":"BYTES","data":["1.5","not a number"]}]}""";

        var response = await _client.InferAsync(TestModelRepository.NumbersAsText, body);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, $"model {TestModelRepository.NumbersAsText} v1 could not run on this input");
        var good = """{"inputs":[{"name":"text","shape":[1,2],"datatype":"BYTES","data":["1.5","2"]}]}""";
        Assert.Equal(HttpStatusCode.OK, (await _client.InferAsync(TestModelRepository.NumbersAsText, good)).StatusCode);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"text","shape":[2],"datatype":"BYTES","data":["a",1]}]}""", "element 1 is Number, expected a string")]
    [InlineData("""{"inputs":[{"name":"text","shape":[2],"datatype":"FP32","data":[1,2]}]}""", "data-type is 'FP32', but model 'text-echo' expects 'BYTES'")]
    public async Task Infer_BadStringRequest_Returns400(string body, string fragment)
    {
        await (await _client.InferAsync(TestModelRepository.Echo, body)).AssertErrorAsync(HttpStatusCode.BadRequest, fragment);
    }

    [Fact]
    public async Task ModelMetadata_StringModel_ReportsBytes()
    {
        var json = await (await _client.GetAsync($"/v2/models/{TestModelRepository.NumbersAsText}")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("BYTES", json.GetProperty("inputs")[0].GetProperty("datatype").GetString());
        Assert.Equal(["FP32", "BYTES"], json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("datatype").GetString()));
    }

    [Fact]
    public async Task Infer_ConcurrentStringRequestsDynamicallyBatched_EachGetsItsOwnRows()
    {
        // Rows of different lengths per request: a split at the wrong element boundary would show up as swapped text.
        var requests = Enumerable.Range(0, 8).Select(async i =>
        {
            var rows = Enumerable.Range(0, i % 3 + 1).Select(r => new string((char)('a' + i), i * 3 + r)).ToArray();
            var body = JsonSerializer.Serialize(new { inputs = new[] { new { name = "text", shape = new[] { rows.Length }, datatype = "BYTES", data = rows } } });
            var json = await (await _client.InferAsync(TestModelRepository.Echo, body)).ReadJsonAsync(HttpStatusCode.OK);
            return (rows, echoed: json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray());
        });

        foreach (var (rows, echoed) in await Task.WhenAll(requests))
        {
            Assert.Equal(rows, echoed);
        }
    }

    /// <summary>Triton's binary layout for BYTES: each element a 4-byte little-endian length and its bytes.</summary>
    private static byte[] Serialize(byte[][] elements) =>
        elements.SelectMany(e => BitConverter.GetBytes(e.Length).Concat(e)).ToArray();
}
