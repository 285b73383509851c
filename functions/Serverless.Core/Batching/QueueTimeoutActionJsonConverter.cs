using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Batching;

/// <summary>
/// Reads only the two names, in any case: JsonStringEnumConverter would also take numbers and "reject, delay", and a
/// typo has to fail the model's load rather than run as one action while /config reports the other.
/// </summary>
internal sealed class QueueTimeoutActionJsonConverter : JsonConverter<QueueTimeoutAction>
{
    public override QueueTimeoutAction Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (string.Equals(text, "reject", StringComparison.OrdinalIgnoreCase))
        {
            return QueueTimeoutAction.Reject;
        }
        if (string.Equals(text, "delay", StringComparison.OrdinalIgnoreCase))
        {
            return QueueTimeoutAction.Delay;
        }
        var given = text is null ? reader.TokenType.ToString().ToLowerInvariant() : $"'{text}'";
        throw new JsonException($"dynamic_batching.timeout_action is {given}; it must be reject or delay");
    }

    public override void Write(Utf8JsonWriter writer, QueueTimeoutAction value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value == QueueTimeoutAction.Delay ? "delay" : "reject");
}
