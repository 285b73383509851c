using System.Text.Json;
using static Serverless.FunctionsHost.Tests.FunctionsMetadataFile;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// The functions.metadata the Worker SDK generated into the build output: what the Functions host indexes when it
/// reads the app. No process is started.
/// </summary>
public sealed class FunctionsMetadataTests
{
    /// <summary>
    /// The contract: name, method, route, auth level of every HTTP function. Every one is Anonymous at the host: the app
    /// authenticates each caller itself (Metering:RequireKey is on under the host), so a Triton, KServe or OpenAI client
    /// sends one key, its own, and never the host's function key.
    /// </summary>
    public static TheoryData<string, string, string, string> HttpFunctions() => new()
    {
        { "HealthLive", "GET", "v2/health/live", "Anonymous" },
        { "HealthReady", "GET", "v2/health/ready", "Anonymous" },
        { "ServerMetadata", "GET", "v2", "Anonymous" },
        { "ModelsStats", "GET", "v2/models/stats", "Anonymous" },
        { "ModelMetadata", "GET", "v2/models/{model}", "Anonymous" },
        { "ModelVersionMetadata", "GET", "v2/models/{model}/versions/{version}", "Anonymous" },
        { "ModelReady", "GET", "v2/models/{model}/ready", "Anonymous" },
        { "ModelVersionReady", "GET", "v2/models/{model}/versions/{version}/ready", "Anonymous" },
        { "ModelStats", "GET", "v2/models/{model}/stats", "Anonymous" },
        { "ModelVersionStats", "GET", "v2/models/{model}/versions/{version}/stats", "Anonymous" },
        { "ModelConfig", "GET", "v2/models/{model}/config", "Anonymous" },
        { "ModelVersionConfig", "GET", "v2/models/{model}/versions/{version}/config", "Anonymous" },
        { "Infer", "POST", "v2/models/{model}/infer", "Anonymous" },
        { "InferVersion", "POST", "v2/models/{model}/versions/{version}/infer", "Anonymous" },
        { "RepositoryIndex", "POST", "v2/repository/index", "Anonymous" },
        { "RepositoryLoad", "POST", "v2/repository/models/{model}/load", "Anonymous" },
        { "RepositoryUnload", "POST", "v2/repository/models/{model}/unload", "Anonymous" },
        { "SubmitJob", "POST", "jobs", "Anonymous" },
        { "ListJobs", "GET", "jobs", "Anonymous" },
        { "GetJob", "GET", "jobs/{id}", "Anonymous" },
        { "CancelJob", "DELETE", "jobs/{id}", "Anonymous" },
        { "Usage", "GET", "usage", "Anonymous" },
        { "UsageExport", "GET", "usage/export", "Anonymous" },
        { "CreateCaller", "POST", "manage/callers", "Anonymous" },
        { "ListCallers", "GET", "manage/callers", "Anonymous" },
        { "IssueKey", "POST", "manage/callers/{id}/keys", "Anonymous" },
        { "RevokeKey", "DELETE", "manage/keys/{keyId}", "Anonymous" },
        { "Metrics", "GET", "metrics", "Anonymous" },
        { "OpenApiDocument", "GET", "openapi.json", "Anonymous" },
        { "ApiReference", "GET", "docs", "Anonymous" },
        { "ApiReferenceAsset", "GET", "docs/{asset}", "Anonymous" },
        { "Console", "GET", "console", "Anonymous" },
        { "ConsoleAsset", "GET", "console/{asset}", "Anonymous" },
        { "Generate", "POST", "v2/models/{model}/generate", "Anonymous" },
        { "GenerateVersion", "POST", "v2/models/{model}/versions/{version}/generate", "Anonymous" },
        { "GenerateStream", "POST", "v2/models/{model}/generate_stream", "Anonymous" },
        { "GenerateStreamVersion", "POST", "v2/models/{model}/versions/{version}/generate_stream", "Anonymous" },
        { "OpenAiModels", "GET", "v1/models", "Anonymous" },
        { "OpenAiModel", "GET", "v1/models/{model}", "Anonymous" },
        { "OpenAiEmbeddings", "POST", "v1/embeddings", "Anonymous" },
        { "OpenAiChatCompletions", "POST", "v1/chat/completions", "Anonymous" },
        { "OpenAiCompletions", "POST", "v1/completions", "Anonymous" },
        { "KServeOpenAiModels", "GET", "openai/v1/models", "Anonymous" },
        { "KServeOpenAiModel", "GET", "openai/v1/models/{model}", "Anonymous" },
        { "KServeOpenAiEmbeddings", "POST", "openai/v1/embeddings", "Anonymous" },
        { "KServeOpenAiChatCompletions", "POST", "openai/v1/chat/completions", "Anonymous" },
        { "KServeOpenAiCompletions", "POST", "openai/v1/completions", "Anonymous" },
    };

    [Fact]
    public void FunctionsMetadata_BuiltApp_ListsExactlyTheContractedFunctions()
    {
        var expected = HttpFunctions().Select(row => (string)row[0]).Append("ScoreShard").Append("Unmatched").Order(StringComparer.Ordinal);

        var actual = Read().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void FunctionsMetadata_HttpFunction_HasContractedRouteMethodAndAuthLevel(string name, string method, string route, string authLevel)
    {
        var trigger = Trigger(Function(name));

        Assert.Equal("httpTrigger", Text(trigger, "type"));
        Assert.Equal("In", Text(trigger, "direction"));
        Assert.Equal(route, Text(trigger, "route"));
        // Every GET also takes HEAD, so HEAD-based probes and link checkers get the GET's status and headers.
        Assert.Equal(method == "GET" ? ["GET", "HEAD"] : [method], Methods(trigger));
        Assert.Equal(authLevel, Text(trigger, "authLevel"));
    }

    [Fact]
    public void FunctionsMetadata_Unmatched_AnonymousCatchAllForEveryVerb()
    {
        var trigger = Trigger(Function("Unmatched"));

        Assert.Equal("{*path}", Text(trigger, "route"));
        Assert.Equal(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"], Methods(trigger).Order(StringComparer.Ordinal));
        Assert.Equal("Anonymous", Text(trigger, "authLevel"));
    }

    [Fact]
    public void FunctionsMetadata_EveryHttpFunction_IsAnonymousAtTheHost()
    {
        var keyed = Read().Select(Trigger).Where(t => Text(t, "type") == "httpTrigger" && Text(t, "authLevel") != "Anonymous")
            .Select(t => Text(t, "route"));

        Assert.Empty(keyed);
    }

    [Fact]
    public void FunctionsMetadata_ScoreShard_QueueTriggerOnJobsQueueSettingAndHostStorage()
    {
        var trigger = Trigger(Function("ScoreShard"));

        Assert.Equal("queueTrigger", Text(trigger, "type"));
        Assert.Equal("In", Text(trigger, "direction"));
        Assert.Equal("message", Text(trigger, "name"));
        Assert.Equal("%Jobs:Queue%", Text(trigger, "queueName"));
        Assert.Equal("AzureWebJobsStorage", Text(trigger, "connection"));
        Assert.Equal("String", Text(trigger, "dataType"));
    }

    [Fact]
    public void FunctionsMetadata_HttpRoutes_NoneReservedByTheHostAndNoneConflicting()
    {
        var routes = Read().Select(Trigger).Where(t => Text(t, "type") == "httpTrigger")
            .Select(t => (Route: Text(t, "route")!, Methods: Methods(t))).ToList();

        // The host refuses a route whose text starts with "admin" or "runtime" (ScriptHost.ValidateHttpFunction), and two
        // functions whose route strings are equal and whose methods intersect (HttpRoutesConflict).
        Assert.DoesNotContain(routes, r => r.Route.Trim('/').StartsWith("admin", StringComparison.OrdinalIgnoreCase) || r.Route.Trim('/').StartsWith("runtime", StringComparison.OrdinalIgnoreCase));
        var conflicts = routes.GroupBy(r => r.Route, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.SelectMany(r => r.Methods).GroupBy(m => m).Any(m => m.Count() > 1))
            .Select(g => g.Key);
        Assert.Empty(conflicts);
    }

    private static JsonElement Function(string name) =>
        Read().SingleOrDefault(f => f.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } function
            ? function
            : throw new Xunit.Sdk.XunitException($"functions.metadata has no function {name}; it has {string.Join(", ", Read().Select(f => f.GetProperty("name").GetString()))}");
}
