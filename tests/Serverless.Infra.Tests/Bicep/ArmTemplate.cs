using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Infra.Tests.Bicep;

/// <summary>
/// A compiled ARM template. Modules compile to nested Microsoft.Resources/deployments, so the template is walked
/// recursively; conditions stay ARM expressions, which is why tests assert on structure rather than on values.
/// </summary>
internal sealed class ArmTemplate(JsonObject root, string modulePath = "")
{
    public JsonObject Root { get; } = root;

    /// <summary>Slash-separated module names from main.bicep down to this template ("" for main).</summary>
    public string ModulePath { get; } = modulePath;

    public JsonObject Parameters => Root["parameters"]?.AsObject() ?? [];

    public JsonObject Variables => Root["variables"]?.AsObject() ?? [];

    public JsonObject Outputs => Root["outputs"]?.AsObject() ?? [];

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>JSON text of a node with ARM expressions left readable (no \u0027 for their quotes).</summary>
    public static string Text(JsonNode node) => node.ToJsonString(Unescaped);

    public static ArmTemplate Parse(string json) =>
        new(JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("Empty template."));

    /// <summary>Resources declared directly in this template (array or languageVersion 2.0 symbolic-name form).</summary>
    public IEnumerable<JsonObject> Resources => Root["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject symbolic => symbolic.Select(pair => pair.Value!.AsObject()),
        _ => [],
    };

    /// <summary>Module deployments declared directly in this template, by module (deployment) name.</summary>
    public IEnumerable<ArmTemplate> Modules => Resources
        .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
        .Select(r => new ArmTemplate(
            r["properties"]!["template"]!.AsObject(),
            ModulePath.Length == 0 ? (string)r["name"]! : $"{ModulePath}/{(string)r["name"]!}"));

    /// <summary>This template and every nested module template, depth first.</summary>
    public IEnumerable<ArmTemplate> AllTemplates => Modules.SelectMany(m => m.AllTemplates).Prepend(this);

    public ArmTemplate Module(string path) =>
        AllTemplates.SingleOrDefault(t => t.ModulePath == path)
        ?? throw new KeyNotFoundException($"No module deployment {path}; have: {string.Join(", ", AllTemplates.Select(t => t.ModulePath))}");

    /// <summary>The non-existing resources of one type declared in this template.</summary>
    public IReadOnlyList<JsonObject> ResourcesOfType(string type) =>
        Resources.Where(r => (string?)r["type"] == type && (bool?)r["existing"] != true).ToList();

    /// <summary>The parameters main.bicep passes to a module, as declared (expressions unevaluated).</summary>
    public JsonObject ModuleParameters(string moduleName) =>
        Resources.Single(r => (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == moduleName)
            ["properties"]!["parameters"]!.AsObject();
}
