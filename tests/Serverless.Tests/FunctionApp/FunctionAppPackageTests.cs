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

    [Fact]
    public async Task CustomHandler_QueueInvocationAsTheHostSendsIt_RunsTheJobAndRepliesInTheInvocationShape()
    {
        var description = HostJson.GetProperty("customHandler").GetProperty("description");
        var arguments = description.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!);
        var data = ServerlessHost.NewDataDirectory();
        var jobs = Path.Combine(data, "jobs");
        Directory.CreateDirectory(jobs);
        await File.WriteAllTextAsync(Path.Combine(jobs, "rows.jsonl"), "{\"features\":[5.1,3.5,1.4,0.2]}\n{\"features\":[6.7,3.0,5.2,2.3]}\n");
        try
        {
            await using var handler = await CustomHandlerProcess.StartAsync(app.Directory, description.GetProperty("defaultExecutablePath").GetString()!, arguments,
                new Dictionary<string, string>
                {
                    ["Models__Repository"] = RepositoryPaths.SampleModels,
                    ["Storage__DataDirectory"] = data,
                    ["Jobs__LocalRoot"] = jobs,
                    // Under the host keys are required by default: the host's own invocation must get through without one.
                    ["Metering__AdminKey"] = "test-admin-key",
                });
            var job = JsonSerializer.Serialize(new { id = "host-job", model = "iris-mlp", input = "rows.jsonl", output = "out" });
            // The queue trigger's payload: the message text as a JSON string, itself JSON-encoded by the host.
            var invocation = JsonSerializer.Serialize(new
            {
                Data = new { message = JsonSerializer.Serialize(job) },
                Metadata = new { DequeueCount = "1", Id = Guid.NewGuid().ToString(), InsertionTime = DateTimeOffset.UtcNow },
            });

            var reply = await (await handler.Client.PostAsync("/ScoreShard", Json(invocation))).ReadJsonAsync(HttpStatusCode.OK);

            Assert.Equal(JsonValueKind.Object, reply.GetProperty("Outputs").ValueKind);
            Assert.Equal(JsonValueKind.Array, reply.GetProperty("Logs").ValueKind);
            Assert.Equal(JsonValueKind.Null, reply.GetProperty("ReturnValue").ValueKind);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? state;
            do
            {
                var status = new HttpRequestMessage(HttpMethod.Get, "/jobs/host-job");
                status.Headers.Add("api-key", "test-admin-key");
                state = (await (await handler.Client.SendAsync(status)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString();
                Assert.True(DateTime.UtcNow < deadline, $"job still {state} after 60 s");
                await Task.Delay(50);
            }
            while (state is "queued" or "running");
            Assert.Equal("succeeded", state);
            Assert.Equal(HttpStatusCode.Unauthorized, (await handler.Client.GetAsync("/jobs/host-job")).StatusCode);
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
