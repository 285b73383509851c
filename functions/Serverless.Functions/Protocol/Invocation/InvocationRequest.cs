using System.Text.Json;

namespace Serverless.Functions.Protocol.Invocation;

/// <summary>
/// A custom-handler invocation from the Functions host: <c>{"Data": {"message": ...}, "Metadata": {"DequeueCount": 1, "Id": "..."}}</c>.
/// Data holds the trigger's payload under the binding name; Metadata the trigger's properties.
/// </summary>
public sealed record InvocationRequest(JsonElement Data, JsonElement Metadata)
{
    public static InvocationRequest Parse(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        var data = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Data", out var d) ? d.Clone() : default;
        var metadata = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Metadata", out var m) ? m.Clone() : default;
        return new InvocationRequest(data, metadata);
    }

    /// <summary>The trigger payload: the named binding, else the only entry of Data.</summary>
    public JsonElement Payload(string binding)
    {
        if (Data.ValueKind != JsonValueKind.Object)
        {
            return Data;
        }
        if (Data.TryGetProperty(binding, out var value))
        {
            return value;
        }
        using var entries = Data.EnumerateObject();
        return entries.MoveNext() ? entries.Current.Value : default;
    }

    /// <summary>A metadata value as text (the host sends numbers and strings, depending on the trigger).</summary>
    public string? MetadataText(string name) =>
        Metadata.ValueKind == JsonValueKind.Object && Metadata.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
