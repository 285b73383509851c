using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

/// <summary>One plan's `bicep build-params` and `bicep snapshot` results, and the resources the snapshot predicts.</summary>
internal sealed record PlanSnapshot(string Plan, ProcessResult BuildParams, ProcessResult Evaluation, JsonObject? Document)
{
    private JsonObject Root => Document ?? throw new InvalidOperationException($"bicep snapshot failed for {Plan}: {Evaluation.AllOutput}");

    public IReadOnlyList<JsonObject> Resources => Root["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public IReadOnlyList<string> Diagnostics => Root["diagnostics"]!.AsArray().Select(d => (string)d!).ToList();

    /// <summary>The whole snapshot as JSON text, ARM expressions left readable.</summary>
    public string Text => ArmTemplate.Text(Root);

    public IReadOnlyList<JsonObject> ResourcesOfType(string type) =>
        Resources.Where(r => (string?)r["type"] == type).ToList();

    public JsonObject Single(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"{Plan}: expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>siteConfig.appSettings of a Microsoft.Web/sites resource, by name.</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(JsonObject site) =>
        site["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => ArmTemplate.Text(s!["value"]!).Trim('"'));

    /// <summary>Environment of a container app's first container, by name: the value, or secretRef:name.</summary>
    public static IReadOnlyDictionary<string, string> Environment(JsonObject containerApp) =>
        containerApp["properties"]!["template"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"] ?? $"secretRef:{(string)e!["secretRef"]!}");
}
