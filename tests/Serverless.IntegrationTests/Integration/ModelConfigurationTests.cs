using System.Net;
using System.Text.Json;
using Serverless.Core.Batching;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary>Triton's model configuration extension: GET /v2/models/{m}[/versions/{v}]/config.</summary>
public sealed class ModelConfigurationTests(TestModelsServerFixture server) : IClassFixture<TestModelsServerFixture>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task Config_BatchedModel_MaxBatchSizeAndDimsWithoutTheBatchDimension()
    {
        var config = await (await _client.GetAsync($"/v2/models/{TestModelRepository.NumbersAsText}/config")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(TestModelRepository.NumbersAsText, config.GetProperty("name").GetString());
        Assert.Equal("onnxruntime_onnx", config.GetProperty("platform").GetString());
        Assert.Equal("onnxruntime", config.GetProperty("backend").GetString());
        Assert.Equal(4, config.GetProperty("max_batch_size").GetInt32());
        var input = Assert.Single(config.GetProperty("input").EnumerateArray());
        Assert.Equal("TYPE_STRING", input.GetProperty("data_type").GetString());
        Assert.Equal([2L], Dims(input));
        Assert.Equal(["TYPE_FP32", "TYPE_STRING"], config.GetProperty("output").EnumerateArray().Select(o => o.GetProperty("data_type").GetString()));
        Assert.False(config.TryGetProperty("dynamic_batching", out _));
        var group = Assert.Single(config.GetProperty("instance_group").EnumerateArray());
        Assert.Equal("KIND_CPU", group.GetProperty("kind").GetString());
        Assert.Equal(1, group.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Config_UnbatchedModel_ZeroAndFullDimsWithOptionalInputsMarked()
    {
        var config = await (await _client.GetAsync($"/v2/models/{TestModelRepository.Defaults}/versions/1/config")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(0, config.GetProperty("max_batch_size").GetInt32());
        var inputs = config.GetProperty("input").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.Equal([-1L, 2L], Dims(inputs["x"]));
        Assert.False(inputs["x"].TryGetProperty("optional", out _));
        Assert.Equal([2L], Dims(inputs["w"]));
        Assert.True(inputs["w"].GetProperty("optional").GetBoolean());
        Assert.Equal("TYPE_FP32", inputs["w"].GetProperty("data_type").GetString());
    }

    [Fact]
    public async Task Config_DynamicBatching_ReportsItsPreferredSizesAndDelay()
    {
        var config = await (await _client.GetAsync($"/v2/models/{TestModelRepository.Echo}/config")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(8, config.GetProperty("max_batch_size").GetInt32());
        var batching = config.GetProperty("dynamic_batching");
        Assert.Equal([4], batching.GetProperty("preferred_batch_size").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal(20000, batching.GetProperty("max_queue_delay_microseconds").GetInt32());
        Assert.Equal(64, batching.GetProperty("default_queue_policy").GetProperty("max_queue_size").GetInt32());
        Assert.Empty(Dims(config.GetProperty("input")[0]));
    }

    [Fact]
    public async Task Config_BatchedModelWithoutInstanceCount_OneInstancePerTwoCpuCores()
    {
        var config = await (await _client.GetAsync($"/v2/models/{TestModelRepository.Echo}/config")).ReadJsonAsync(HttpStatusCode.OK);

        var group = Assert.Single(config.GetProperty("instance_group").EnumerateArray());
        Assert.Equal("KIND_CPU", group.GetProperty("kind").GetString());
        Assert.Equal(Math.Clamp(Environment.ProcessorCount / 2, 1, BatchingLayout.MaxDefaultCpuInstances), group.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Config_UnknownModelOrVersion_Returns404InTritonsWording()
    {
        await (await _client.GetAsync("/v2/models/no-such-model/config")).AssertErrorAsync(HttpStatusCode.NotFound, "Request for unknown model: 'no-such-model' is not found");
        await (await _client.GetAsync($"/v2/models/{TestModelRepository.Echo}/versions/9/config")).AssertErrorAsync(HttpStatusCode.NotFound,
            $"Request for unknown model: '{TestModelRepository.Echo}' version 9 is not found");
    }

    [Fact]
    public async Task ServerMetadata_ListsModelConfigurationExtension()
    {
        var json = await (await _client.GetAsync("/v2")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Contains("model_configuration", json.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    private static long[] Dims(JsonElement tensor) => tensor.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()).ToArray();
}
