using System.Text.Json;
using static Serverless.FunctionsHost.Tests.FunctionsMetadataFile;

namespace Serverless.FunctionsHost.Tests;

/// <summary>
/// The functions.metadata the Worker SDK generated into the build output: what the Functions host indexes when it
/// reads the app. No process is started.
/// </summary>
public sealed class FunctionsMetadataTests
{
    /// <summary>The contract: name, method, route, auth level of every HTTP function.</summary>
    public static TheoryData<string, string, string, string> HttpFunctions() => new()
    {
        { "HealthLive", "GET", "v2/health/live", "Anonymous" },
        { "HealthReady", "GET", "v2/health/ready", "Anonymous" },
        { "ServerMetadata", "GET", "v2", "Function" },
        { "ModelsStats", "GET", "v2/models/stats", "Function" },
        { "ModelMetadata", "GET", "v2/models/{model}", "Function" },
        { "ModelVersionMetadata", "GET", "v2/models/{model}/versions/{version}", "Function" },
        { "ModelReady", "GET", "v2/models/{model}/ready", "Function" },
        { "ModelVersionReady", "GET", "v2/models/{model}/versions/{version}/ready", "Function" },
        { "ModelStats", "GET", "v2/models/{model}/stats", "Function" },
        { "ModelVersionStats", "GET", "v2/models/{model}/versions/{version}/stats", "Function" },
        { "ModelConfig", "GET", "v2/models/{model}/config", "Function" },
        { "ModelVersionConfig", "GET", "v2/models/{model}/versions/{version}/config", "Function" },
        { "Infer", "POST", "v2/models/{model}/infer", "Function" },
        { "InferVersion", "POST", "v2/models/{model}/versions/{version}/infer", "Function" },
        { "RepositoryIndex", "POST", "v2/repository/index", "Function" },
        { "RepositoryLoad", "POST", "v2/repository/models/{model}/load", "Function" },
        { "RepositoryUnload", "POST", "v2/repository/models/{model}/unload", "Function" },
        { "SubmitJob", "POST", "jobs", "Function" },
        { "ListJobs", "GET", "jobs", "Function" },
        { "GetJob", "GET", "jobs/{id}", "Function" },
        { "Usage", "GET", "usage", "Function" },
        { "UsageExport", "GET", "usage/export", "Function" },
        { "CreateCaller", "POST", "manage/callers", "Function" },
        { "ListCallers", "GET", "manage/callers", "Function" },
        { "IssueKey", "POST", "manage/callers/{id}/keys", "Function" },
        { "RevokeKey", "DELETE", "manage/keys/{keyId}", "Function" },
        { "Metrics", "GET", "metrics", "Function" },
    };

    [Fact]
    public void FunctionsMetadata_BuiltApp_ListsExactlyTheContractedFunctions()
    {
        var expected = HttpFunctions().Select(row => (string)row[0]).Append("ScoreShard").Order(StringComparer.Ordinal);

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
        Assert.Equal([method], Methods(trigger));
        Assert.Equal(authLevel, Text(trigger, "authLevel"));
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
