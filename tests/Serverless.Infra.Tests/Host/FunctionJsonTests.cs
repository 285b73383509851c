using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Host;

public sealed class FunctionJsonTests
{
    private static readonly string[] FunctionNames =
        Directory.EnumerateDirectories(Repository.Triggers).Select(d => Path.GetFileName(d)).Order().ToArray();

    public static TheoryData<string> Functions => new(FunctionNames);

    public static TheoryData<string> HttpFunctions => new(FunctionNames.Where(f => f != "ScoreShard"));

    private static JsonArray Bindings(string function) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Triggers, function, "function.json")))!["bindings"]!.AsArray();

    [Fact]
    public void Triggers_Folder_HoldsTheSevenFunctions() =>
        Assert.Equal(["Admin", "Health", "Inference", "Jobs", "Metrics", "ScoreShard", "Usage"], FunctionNames);

    [Theory]
    [MemberData(nameof(Functions))]
    public void FunctionJson_EveryFunction_ParsesWithOneTrigger(string function) =>
        Assert.Single(Bindings(function), b => ((string)b!["type"]!).EndsWith("Trigger", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void FunctionJson_HttpFunction_HasExactlyOneHttpTriggerAndOneHttpOutput(string function)
    {
        var bindings = Bindings(function);

        Assert.Equal(2, bindings.Count);
        Assert.Single(bindings, b => (string)b!["type"]! == "httpTrigger" && (string)b["direction"]! == "in");
        Assert.Single(bindings, b => (string)b!["type"]! == "http" && (string)b["direction"]! == "out" && (string)b["name"]! == "res");
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void FunctionJson_HttpRoute_AvoidsPrefixesTheHostReserves(string function)
    {
        // The host refuses routes starting with "admin" ("The specified route conflicts with one or more built in
        // routes"): /admin/* is its own management API. /runtime/* carries its webhooks.
        var route = (string)Bindings(function).Single(b => (string)b!["type"]! == "httpTrigger")!["route"]!;

        Assert.False(route.StartsWith("admin", StringComparison.OrdinalIgnoreCase), route);
        Assert.False(route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase), route);
    }

    [Theory]
    [InlineData("Health", "anonymous")]
    [InlineData("Inference", "function")]
    [InlineData("Jobs", "function")]
    [InlineData("Usage", "function")]
    [InlineData("Admin", "function")]
    [InlineData("Metrics", "function")]
    public void FunctionJson_AuthLevel_OnlyHealthIsAnonymous(string function, string authLevel) =>
        Assert.Equal(authLevel, (string)Bindings(function).Single(b => (string)b!["type"]! == "httpTrigger")!["authLevel"]!);

    [Fact]
    public void FunctionJson_ScoreShard_IsQueueTriggerNamedMessageOnScoringJobs()
    {
        var trigger = Assert.Single(Bindings("ScoreShard"));

        Assert.Equal("queueTrigger", (string)trigger!["type"]!);
        Assert.Equal("message", (string)trigger["name"]!);
        Assert.Equal("scoring-jobs", (string)trigger["queueName"]!);
        Assert.Equal("AzureWebJobsStorage", (string)trigger["connection"]!);
    }

    [Theory]
    [InlineData("GET", "/v2/health/live", "Health")]
    [InlineData("GET", "/v2/health/ready", "Health")]
    [InlineData("GET", "/v2", "Inference")]
    [InlineData("GET", "/v2/models/mnist", "Inference")]
    [InlineData("GET", "/v2/models/mnist/ready", "Inference")]
    [InlineData("POST", "/v2/models/mnist/infer", "Inference")]
    [InlineData("POST", "/v2/models/mnist/versions/1/infer", "Inference")]
    [InlineData("POST", "/v2/repository/index", "Inference")]
    [InlineData("GET", "/jobs", "Jobs")]
    [InlineData("POST", "/jobs", "Jobs")]
    [InlineData("GET", "/jobs/job-1", "Jobs")]
    [InlineData("DELETE", "/jobs/job-1", "Jobs")]
    [InlineData("GET", "/usage", "Usage")]
    [InlineData("GET", "/usage/subscriptions/s-1", "Usage")]
    [InlineData("GET", "/manage/models", "Admin")]
    [InlineData("DELETE", "/manage/models/mnist/1", "Admin")]
    [InlineData("GET", "/metrics", "Metrics")]
    public void FunctionRoutes_RequestPath_ReachesTheExpectedFunction(string method, string path, string function) =>
        Assert.Equal(function, FunctionRoutes.Load().Match(method, path));

    [Theory]
    [InlineData("PUT", "/jobs")]
    [InlineData("POST", "/metrics")]
    [InlineData("GET", "/")]
    public void FunctionRoutes_UnsupportedMethodOrPath_IsNotRouted(string method, string path) =>
        Assert.Null(FunctionRoutes.Load().Match(method, path));
}
