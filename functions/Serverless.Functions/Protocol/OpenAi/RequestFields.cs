using System.Text.Json;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Typed reads of a request object's fields, each refusal a 400 naming the field (OpenAI's <c>param</c>), what it must
/// be and what it was. A field set to <c>null</c> counts as left out, as OpenAI's API takes it.
/// </summary>
public readonly struct RequestFields(JsonElement root)
{
    public bool Has(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string RequiredString(string name) =>
        Get(name) is not { } value ? throw Invalid($"'{name}' is required", name)
        : value.ValueKind != JsonValueKind.String ? throw Invalid($"'{name}' must be a string, not {Describe(value)}", name)
        : value.GetString()!;

    public string? String(string name) =>
        Get(name) is not { } value ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid($"'{name}' must be a string, not {Describe(value)}", name);

    public bool? Boolean(string name) =>
        Get(name) is not { } value ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw Invalid($"'{name}' must be true or false, not {Describe(value)}", name);

    public double? Number(string name, double min, double max) =>
        Get(name) is not { } value ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= min && number <= max ? number
        : throw Invalid($"'{name}' must be a number from {min} to {max}, not {Describe(value)}", name);

    public long? Integer(string name, long min, long max, string? setting = null) =>
        Get(name) is not { } value ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max ? number
        : throw Invalid($"'{name}' must be an integer from {min} to {max}{(setting is null ? "" : $" ({setting})")}, not {Describe(value)}", name);

    /// <summary>A string or a list of strings (<c>stop</c>, a prompt list): at most <paramref name="maxCount"/> of at most <paramref name="maxCharacters"/> each.</summary>
    public IReadOnlyList<string> StringOrList(string name, int maxCount, string countSetting, int maxCharacters, string charactersSetting, bool allowEmpty)
    {
        if (Get(name) is not { } value)
        {
            return [];
        }
        var items = new List<string>();
        if (value.ValueKind == JsonValueKind.String)
        {
            items.Add(value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            if (value.GetArrayLength() > maxCount)
            {
                throw Invalid($"'{name}' holds {value.GetArrayLength()} entries; at most {maxCount} are allowed ({countSetting})", name);
            }
            foreach (var item in value.EnumerateArray())
            {
                items.Add(item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw Invalid($"'{name}[{items.Count}]' must be a string, not {Describe(item)}", name));
            }
        }
        else
        {
            throw Invalid($"'{name}' must be a string or a list of strings, not {Describe(value)}", name);
        }
        if (items.Count > maxCount)
        {
            throw Invalid($"'{name}' holds {items.Count} entries; at most {maxCount} are allowed ({countSetting})", name);
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Length > maxCharacters)
            {
                throw Invalid($"'{name}[{i}]' is {items[i].Length} characters long; at most {maxCharacters} are allowed ({charactersSetting})", name);
            }
            if (!allowEmpty && items[i].Length == 0)
            {
                throw Invalid($"'{name}[{i}]' is empty", name);
            }
        }
        return items;
    }

    /// <summary>Refuses a field this server does not honour when it is set to anything but its no-op value: silently ignoring it would answer a different question.</summary>
    public void Unsupported(string name, Func<JsonElement, bool> isNoOp, string why)
    {
        if (Get(name) is { } value && !isNoOp(value))
        {
            throw Invalid($"'{name}' is not supported by this server: {why}", name, "unsupported_parameter");
        }
    }

    public static OpenAiInvalidRequestException Invalid(string message, string? param, string? code = null) => new(message, param, code);

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"{value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
