using System.Net;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary><c>POST /v2/repository/models/{m}/load</c> on a folder repository whose files change under a running server.</summary>
public sealed class RepositoryLoadTests : IAsyncLifetime
{
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "serverless-reload-" + Guid.NewGuid().ToString("N"));
    private ServerlessHost _host = null!;

    private string ModelFile => Path.Combine(_repository, "swapped", "1", "model.onnx");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ModelFile)!);
        File.Copy(Sample("iris-mlp"), ModelFile);
        _host = await ServerlessHost.StartAsync(("Models:Repository", _repository));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }

    [Fact]
    public async Task Load_LoadedVersionsFileReplaced_ReloadsItAndSaysSo()
    {
        Assert.Equal("loaded", (await LoadAsync()).GetProperty("action").GetString());
        Assert.Equal(4, await FeatureCountAsync());

        // Another model with another input width, so which one serves is plain from the metadata.
        File.Copy(Sample("binary-classifier"), ModelFile, overwrite: true);
        var reloaded = await LoadAsync();

        Assert.Equal("reloaded", reloaded.GetProperty("action").GetString());
        Assert.Equal("READY", reloaded.GetProperty("state").GetString());
        Assert.Equal(3, await FeatureCountAsync());
    }

    [Theory]
    [InlineData("""{"parameters":{"config":"{\"max_batch_size\": 4}"}}""", "load parameter 'config' is not honoured")]
    [InlineData("""{"parameters":{"file:1/model.onnx":"AAAA"}}""", "load parameter 'file:1/model.onnx' is not honoured")]
    [InlineData("""{"unknown":1}""", "takes only 'parameters'")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""garbage""", "not valid JSON")]
    public async Task Load_BodyAskingForWhatIsNotHonoured_Returns400AndLoadsNothing(string body, string reason)
    {
        var response = await _host.Client.PostAsync("/v2/repository/models/swapped/load", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, reason);
        var loaded = await _host.Client.PostAsync("/v2/repository/index", new StringContent("""{"ready":true}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(0, (await loaded.ReadJsonAsync(HttpStatusCode.OK)).GetArrayLength());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"parameters":{}}""")]
    public async Task Load_EmptyRequest_Loads(string body)
    {
        var response = await _host.Client.PostAsync("/v2/repository/models/swapped/load", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal("loaded", (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("action").GetString());
    }

    [Fact]
    public async Task Load_LoadedVersionUnchanged_KeepsItAndSaysSo()
    {
        await LoadAsync();

        var again = await LoadAsync();

        Assert.Equal("unchanged", again.GetProperty("action").GetString());
    }

    private static string Sample(string model) => Path.Combine(RepositoryPaths.SampleModels, model, "1", "model.onnx");

    private async Task<System.Text.Json.JsonElement> LoadAsync() =>
        await (await _host.Client.PostAsync("/v2/repository/models/swapped/load", null)).ReadJsonAsync(HttpStatusCode.OK);

    private async Task<int> FeatureCountAsync()
    {
        var metadata = await (await _host.Client.GetAsync("/v2/models/swapped")).ReadJsonAsync(HttpStatusCode.OK);
        return metadata.GetProperty("inputs")[0].GetProperty("shape")[1].GetInt32();
    }
}
