using System.Net;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>Error bodies name what the caller knows (model, version, the job's own paths), never the server's folders.</summary>
public sealed class ErrorBodyPathsTests : IAsyncLifetime
{
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "serverless-paths-" + Guid.NewGuid().ToString("N"));
    private ServerlessHost _host = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_repository, "broken", "1"));
        await File.WriteAllTextAsync(Path.Combine(_repository, "broken", "1", "model.onnx"), "this is not an onnx file");
        _host = await ServerlessHost.StartAsync(("Models:Repository", _repository));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }

    [Fact]
    public async Task Infer_ModelFileCannotBeOpened_503NamesTheModelButNoServerPath()
    {
        var message = await (await _host.Client.InferAsync("broken", IrisTwoRows)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "broken v1");
        var index = await (await _host.Client.PostAsync("/v2/repository/index", null)).Content.ReadAsStringAsync();

        Assert.DoesNotContain(_repository, message);
        Assert.DoesNotContain(_host.DataDirectory, message);
        Assert.Contains("model.onnx", message);
        Assert.DoesNotContain(_repository, index);
    }
}
