using System.Net;
using System.Text.Json;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.FunctionApp;

/// <summary>The publish folder is a deployable function app, and the app honours the custom-handler contract.</summary>
public sealed class FunctionAppPackageTests(PublishedFunctionApp app) : IClassFixture<PublishedFunctionApp>
{
    private JsonElement HostJson => JsonDocument.Parse(File.ReadAllText(Path.Combine(app.Directory, "host.json"))).RootElement;

    [Fact]
    public void Publish_Folder_HoldsHostJsonEveryFunctionAndTheExecutableHostJsonNames()
    {
        var description = HostJson.GetProperty("customHandler").GetProperty("description");
        var arguments = description.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!).ToList();

        Assert.Equal("dotnet", description.GetProperty("defaultExecutablePath").GetString());
        Assert.True(File.Exists(Path.Combine(app.Directory, arguments[0])), $"{arguments[0]} missing from the publish folder");
        var triggers = Path.Combine(RepositoryPaths.Root, "functions", "Serverless.Functions", "Triggers");
        var functions = Directory.GetDirectories(triggers).Select(Path.GetFileName).ToList();
        Assert.Contains("ScoreShard", functions);
        foreach (var function in functions)
        {
            var published = Path.Combine(app.Directory, function!, "function.json");
            Assert.True(File.Exists(published), $"{function}/function.json missing from the publish folder");
            Assert.Equal(File.ReadAllText(Path.Combine(triggers, function!, "function.json")), File.ReadAllText(published));
        }
    }

    [Fact]
    public async Task CustomHandler_StartedAsTheHostDoes_AnswersProbeAndForwardedInference()
    {
        var description = HostJson.GetProperty("customHandler").GetProperty("description");
        var arguments = description.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!);
        var data = ServerlessHost.NewDataDirectory();
        try
        {
            await using var handler = await CustomHandlerProcess.StartAsync(app.Directory, description.GetProperty("defaultExecutablePath").GetString()!, arguments,
                new Dictionary<string, string>
                {
                    ["Models__Repository"] = RepositoryPaths.SampleModels,
                    ["Storage__DataDirectory"] = data,
                    // Metering would require a key under the host; this test is about the transport, not about keys.
                    ["Metering__RequireKey"] = "false",
                });

            // With enableProxyingHttpRequest the host forwards the request unchanged: same path, body and headers.
            var forwarded = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris-mlp/infer") { Content = Json(IrisTwoRows) };
            forwarded.Headers.Add("X-Forwarded-For", "203.0.113.7");
            forwarded.Headers.Add("X-ARR-LOG-ID", Guid.NewGuid().ToString());
            var json = await (await handler.Client.SendAsync(forwarded)).ReadJsonAsync(HttpStatusCode.OK);

            Assert.Equal("iris-mlp", json.GetProperty("model_name").GetString());
            Assert.Equal(HttpStatusCode.OK, (await handler.Client.GetAsync("/v2/health/live")).StatusCode);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
