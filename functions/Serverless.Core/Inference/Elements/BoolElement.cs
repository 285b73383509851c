using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Serverless.Core.Inference.Elements;

/// <summary>BOOL: one byte per element, 0 or 1; JSON <c>true</c>/<c>false</c> (or the numbers 0 and 1).</summary>
public readonly struct BoolElement : ITensorElement<bool>
{
    public static bool TryReadJson(ref Utf8JsonReader reader, out bool value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.False:
                value = false;
                return true;
            case JsonTokenType.Number when reader.TryGetInt32(out var number) && number is 0 or 1:
                value = number == 1;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryParseText(ReadOnlySpan<byte> text, out bool value)
    {
        value = text.SequenceEqual("true"u8) || text.SequenceEqual("1"u8);
        return value || text.SequenceEqual("false"u8) || text.SequenceEqual("0"u8);
    }

    public static bool TryConvert(double number, out bool value)
    {
        value = number == 1;
        return number is 0 or 1;
    }

    public static void WriteJson(Utf8JsonWriter writer, bool value) => writer.WriteBooleanValue(IsSet(value));

    public static bool TryFormatText(bool value, Span<byte> target, out int written)
    {
        var text = IsSet(value) ? "true"u8 : "false"u8;
        written = text.TryCopyTo(target) ? text.Length : 0;
        return written != 0;
    }

    // Tensor data is bytes: any byte but 0 reads as true, whatever bool it was reinterpreted as.
    private static bool IsSet(bool value) => Unsafe.As<bool, byte>(ref value) != 0;
}
