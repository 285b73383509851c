using System.Text;
using System.Text.Json;

namespace Serverless.Core.Jobs;

/// <summary>
/// The JSON inside a queue message however it arrives: plain, base64 (what the SDK's queue clients send by default;
/// both hosts hand bodies over as sent, host.json messageEncoding none), or as a JSON string holding the JSON (tools
/// that serialise a message twice).
/// </summary>
public static class JobMessageBody
{
    public static byte[] Normalize(ReadOnlySpan<byte> body)
    {
        var text = body.Trim(" \t\r\n"u8);
        if (text.Length > 0 && text[0] is not ((byte)'{' or (byte)'"' or (byte)'['))
        {
            var decoded = new byte[text.Length];
            if (Convert.TryFromBase64Chars(Encoding.ASCII.GetString(text), decoded, out var written))
            {
                text = decoded.AsSpan(0, written).Trim(" \t\r\n"u8);
            }
        }
        // Unwrap JSON strings that hold JSON, as many layers as the delivery path added (bounded).
        for (var depth = 0; depth < 3 && text.Length > 0 && text[0] == '"'; depth++)
        {
            try
            {
                text = Encoding.UTF8.GetBytes(JsonSerializer.Deserialize<string>(text) ?? "");
            }
            catch (JsonException)
            {
                break;
            }
        }
        return text.ToArray();
    }
}
