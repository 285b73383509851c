using System.Text.Json;

namespace Serverless.Tests.FunctionApp;

/// <summary>
/// The publish folder is what the Functions host (Core Tools' <c>func start</c>, or a deployment) is given: a valid
/// dotnet-isolated function app. The worker's behaviour under a host is tested by Serverless.FunctionsHost.Tests.
/// </summary>
public sealed class FunctionAppPackageTests(PublishedFunctionApp app) : IClassFixture<PublishedFunctionApp>
{
    private JsonElement Read(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(app.Directory, file))).RootElement;

    [Fact]
    public void Publish_WorkerConfig_DescribesADotnetIsolatedWorkerWhoseDllIsThere()
    {
        var description = Read("worker.config.json").GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("dotnet", description.GetProperty("defaultExecutablePath").GetString());
        var worker = description.GetProperty("defaultWorkerPath").GetString()!;
        Assert.Equal("Serverless.Functions.dll", worker);
        Assert.True(File.Exists(Path.Combine(app.Directory, worker)), $"{worker} missing from the publish folder");
    }

    [Fact]
    public void Publish_HostJson_IsTheRepositorysWithoutCustomHandler()
    {
        var hostJson = Read("host.json");

        Assert.Equal("2.0", hostJson.GetProperty("version").GetString());
        Assert.False(hostJson.TryGetProperty("customHandler", out _));
        Assert.Equal("", hostJson.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Publish_Extensions_HoldTheStorageQueuesExtensionTheQueueTriggerNeeds()
    {
        var extensions = Read("extensions.json").GetProperty("extensions").EnumerateArray().ToList();

        var queues = Assert.Single(extensions, e => e.GetProperty("name").GetString() == "AzureStorageQueues");
        var hintPath = queues.GetProperty("hintPath").GetString()!;
        Assert.True(File.Exists(Path.Combine(app.Directory, hintPath)), $"{hintPath} missing from the publish folder");
    }

    [Fact]
    public void Publish_FunctionsMetadata_ListsEveryHttpFunctionAndTheQueueTrigger()
    {
        var functions = Read("functions.metadata").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings").EnumerateArray().Select(b => b.GetProperty("type").GetString()).ToList());

        Assert.Contains("queueTrigger", functions["ScoreShard"]);
        Assert.Contains("httpTrigger", functions["Infer"]);
        Assert.Contains("httpTrigger", functions["HealthLive"]);
        Assert.DoesNotContain(functions.Keys, name => Directory.Exists(Path.Combine(app.Directory, name)) && File.Exists(Path.Combine(app.Directory, name, "function.json")));
    }
}
