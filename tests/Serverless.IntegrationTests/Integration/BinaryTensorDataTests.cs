using System.Net;
using System.Text;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.BinaryTensorMessage;

namespace Serverless.Tests.Integration;

/// <summary>
/// The binary tensor data extension through the real app: the conformance models answer a request in binary form
/// exactly as they answer its JSON form, mixed and per-output choices work, and bad framing is a 400 that leaves the
/// server serving.
/// </summary>
public sealed class BinaryTensorDataTests : IAsyncLifetime
{
    private const string Where = "test_where_example";
    private const string Split = "test_split_equal_parts_2d";
    private const string SplitRequest = """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9,10,11,12]}]""";

    private ServerlessHost _host = null!;

    public static TheoryData<string> Cases() => ConformanceTests.Cases();

    public async Task InitializeAsync() =>
        _host = await ServerlessHost.StartAsync(("Models:Repository", Path.Combine(RepositoryPaths.Conformance, "models")));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [NeedsSharedTheory]
    [MemberData(nameof(Cases))]
    public async Task Infer_ConformanceCaseInBinary_MatchesItsJsonAnswer(string name)
    {
        var json = await RequestJsonAsync(name);
        var (body, headerLength) = FromJson(json);

        var binary = await PostAsync(name, body, headerLength);

        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
        Assert.Equal("application/octet-stream", binary.Content.Headers.ContentType?.MediaType);
        AssertSameOutputs(await JsonAnswerAsync(name, json), await ReadOutputsAsync(binary));
    }

    [NeedsSharedFact]
    public async Task Infer_MixedJsonAndBinaryInputs_MatchesJsonAnswer()
    {
        var json = await RequestJsonAsync(Where);
        // BOOL condition and y in binary, x stays JSON between them.
        var (body, headerLength) = FromJson(json, new HashSet<string> { "condition", "y" }, binaryOutputs: false);

        var mixed = await PostAsync(Where, body, headerLength);

        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        Assert.Equal("application/json", mixed.Content.Headers.ContentType?.MediaType);
        AssertSameOutputs(await JsonAnswerAsync(Where, json), await ReadOutputsAsync(mixed));
    }

    [NeedsSharedFact]
    public async Task Infer_OutputBinaryFlagOverRequestDefault_OnlyOtherOutputIsBinary()
    {
        var request = SplitRequest + ""","parameters":{"binary_data_output":true},"outputs":[{"name":"output_1","parameters":{"binary_data":false}},{"name":"output_2"}]}""";

        var response = await _host.Client.PostAsync($"/v2/models/{Split}/infer", new StringContent(request, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headerLength = int.Parse(Assert.Single(response.Headers.GetValues(HeaderName)));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(headerLength + 6 * 4, body.Length);
        var header = Encoding.UTF8.GetString(body, 0, headerLength);
        Assert.Contains("\"name\":\"output_1\",\"datatype\":\"FP32\",\"shape\":[2,3],\"data\":[1,2,3,7,8,9]", header);
        Assert.Contains("\"name\":\"output_2\",\"datatype\":\"FP32\",\"shape\":[2,3],\"parameters\":{\"binary_data_size\":24}", header);
        var outputs = await ReadOutputsAsync(response);
        Assert.Equal([4.0, 5, 6, 10, 11, 12], outputs["output_2"]);
    }

    public static TheoryData<string, string?, string> BadFraming() => new()
    {
        { """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","parameters":{"binary_data_size":48}}]}""" + "\0\0\0\0", "9999", "is beyond the" },
        { """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","parameters":{"binary_data_size":48}}]}""", "abc", "not a positive byte count" },
        { """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","parameters":{"binary_data_size":44}}]}""" + new string('\0', 44), null, "binary_data_size 44 does not match shape [2,6] of FP32, which needs 48 bytes" },
        { """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","parameters":{"binary_data_size":48}}]}""" + new string('\0', 40), null, "only 40 bytes" },
        { """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","parameters":{"binary_data_size":48}}]}""" + new string('\0', 52), null, "52 bytes of binary tensor data follow the JSON header, but the inputs' binary_data_size add up to 48" },
        { """{"inputs":[{"name":"input","shape":[2,6],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9,10,11,12],"parameters":{"binary_data_size":48}}]}""" + new string('\0', 48), null, "both 'data' and parameters.binary_data_size" },
    };

    [NeedsSharedTheory]
    [MemberData(nameof(BadFraming))]
    public async Task Infer_BadBinaryFraming_Returns400ThenServesGoodRequest(string body, string? headerLength, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        // null: the header is exactly the JSON object, whatever binary follows it.
        headerLength ??= (body.IndexOf("}]}", StringComparison.Ordinal) + 3).ToString();
        var content = new ByteArrayContent(bytes);
        content.Headers.Add(HeaderName, headerLength);

        await (await _host.Client.PostAsync($"/v2/models/{Split}/infer", content)).AssertErrorAsync(HttpStatusCode.BadRequest, expected);

        var (good, goodLength) = FromJson(SplitRequest + "}");
        var after = await PostAsync(Split, good, goodLength);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var outputs = await ReadOutputsAsync(after);
        Assert.Equal([1.0, 2, 3, 7, 8, 9], outputs["output_1"]);
    }

    private static Task<string> RequestJsonAsync(string name) =>
        File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Conformance, "cases", name, "request.json"));

    private Task<HttpResponseMessage> PostAsync(string model, byte[] body, int headerLength) =>
        _host.Client.PostAsync($"/v2/models/{model}/infer", Content(body, headerLength));

    private async Task<Dictionary<string, double[]>> JsonAnswerAsync(string name, string json)
    {
        var response = await _host.Client.InferAsync(name, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadOutputsAsync(response);
    }

    private static void AssertSameOutputs(Dictionary<string, double[]> expected, Dictionary<string, double[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, want) in expected)
        {
            var got = actual[name];
            Assert.Equal(want.Length, got.Length);
            for (var i = 0; i < want.Length; i++)
            {
                // JSON carries floats as shortest round-trip text, so both forms hold the same values bit for bit.
                Assert.True(want[i].Equals(got[i]), $"{name}[{i}]: JSON {want[i]}, binary {got[i]}");
            }
        }
    }
}
