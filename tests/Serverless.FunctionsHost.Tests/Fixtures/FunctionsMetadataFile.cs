using System.Text.Json;

namespace Serverless.FunctionsHost.Tests;

/// <summary>The Worker SDK's functions.metadata in the build output: one entry per [Function], with its bindings.</summary>
public static class FunctionsMetadataFile
{
    public static IReadOnlyList<JsonElement> Read()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(AppOutput.File("functions.metadata")));
        return json.RootElement.EnumerateArray().Select(f => f.Clone()).ToList();
    }

    public static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));

    public static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string[] Methods(JsonElement trigger) =>
        trigger.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order(StringComparer.Ordinal).ToArray()
            : [];
}
