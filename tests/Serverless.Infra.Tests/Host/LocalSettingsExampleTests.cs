using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Host;

/// <summary>
/// The example a developer copies to local.settings.json for <c>func start</c>: the settings the host itself needs from
/// the app, the same ones every deployed plan sets (see PlanSnapshotTests).
/// </summary>
public sealed class LocalSettingsExampleTests
{
    private static readonly JsonNode Values = JsonNode.Parse(File.ReadAllText(
        Path.Combine(Repository.Root, "functions", "Serverless.Functions", "local.settings.example.json")))!["Values"]!;

    [Fact]
    public void LocalSettingsExample_NamesTheJobsQueueSoTheHostBindsScoreShard() =>
        Assert.Equal("scoring-jobs", (string)Values["Jobs__Queue"]!);

    [Fact]
    public void LocalSettingsExample_DisablesTheHostHomepage() =>
        Assert.Equal("true", (string)Values["AzureWebJobsDisableHomepage"]!);

    [Fact]
    public void LocalSettingsExample_RunsTheIsolatedWorkerOnAzurite()
    {
        Assert.Equal("dotnet-isolated", (string)Values["FUNCTIONS_WORKER_RUNTIME"]!);
        Assert.Equal("UseDevelopmentStorage=true", (string)Values["AzureWebJobsStorage"]!);
    }
}
