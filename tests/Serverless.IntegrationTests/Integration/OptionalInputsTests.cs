using System.Net;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>Inputs a request may leave out: initializers listed among the graph's inputs, and ONNX optional-typed inputs.</summary>
public sealed class OptionalInputsTests(TestModelsServerFixture server) : IClassFixture<TestModelsServerFixture>
{
    private readonly HttpClient _client = server.Client;

    private const string X = """{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}""";

    [Fact]
    public async Task Infer_InitializerInputLeftOut_UsesTheGraphsDefault()
    {
        var json = await (await _client.InferAsync(TestModelRepository.Defaults, $$"""{"inputs":[{{X}}]}""")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal([11f, 22f], json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Infer_InitializerInputSent_OverridesTheDefault()
    {
        var body = $$"""{"inputs":[{{X}},{"name":"w","shape":[2],"datatype":"FP32","data":[100,200]}]}""";

        var json = await (await _client.InferAsync(TestModelRepository.Defaults, body)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal([101f, 202f], json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Infer_Ir3InitializerInput_IsAConstantTheRequestCannotOverride()
    {
        var body = $$"""{"inputs":[{{X}},{"name":"w","shape":[2],"datatype":"FP32","data":[100,200]}]}""";

        await (await _client.InferAsync(TestModelRepository.DefaultsIr3, body)).AssertErrorAsync(HttpStatusCode.BadRequest, "unexpected inference input 'w'");
        var json = await (await _client.InferAsync(TestModelRepository.DefaultsIr3, $$"""{"inputs":[{{X}}]}""")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal([11f, 22f], json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Infer_OptionalTypedInput_MayBeLeftOutOrSent(bool send)
    {
        var maybe = send ? """,{"name":"maybe","shape":[1],"datatype":"FP32","data":[5]}""" : "";
        var body = $$"""{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[3]}{{maybe}}]}""";

        var json = await (await _client.InferAsync(TestModelRepository.OptionalInput, body)).ReadJsonAsync(HttpStatusCode.OK);

        var has = json.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "has");
        Assert.Equal(send, has.GetProperty("data")[0].GetBoolean());
    }

    [Fact]
    public async Task ModelMetadata_OptionalInputs_ListsOnlyWhatACallerMustSend()
    {
        var defaults = await (await _client.GetAsync($"/v2/models/{TestModelRepository.Defaults}")).ReadJsonAsync(HttpStatusCode.OK);
        var optional = await (await _client.GetAsync($"/v2/models/{TestModelRepository.OptionalInput}")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(["x"], defaults.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(["x"], optional.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Infer_RequiredInputMissing_StillRefusedNamingIt()
    {
        await (await _client.InferAsync(TestModelRepository.Defaults, """{"inputs":[{"name":"w","shape":[2],"datatype":"FP32","data":[1,2]}]}"""))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "input 'x' is missing");
    }
}
