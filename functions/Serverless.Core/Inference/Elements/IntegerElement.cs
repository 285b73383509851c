using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Serverless.Core.Inference.Elements;

/// <summary>
/// UINT8..UINT64 and INT8..INT64: whole numbers in <typeparamref name="T"/>'s range, read through 64 bits and narrowed,
/// so every width refuses the same way (<c>256</c> as UINT8, <c>1.5</c> or <c>-1</c> as UINT32).
/// </summary>
public readonly struct IntegerElement<T> : ITensorElement<T> where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    // Constants once the JIT specializes for T: each width keeps one of the two paths below.
    private static bool Signed => T.IsNegative(T.MinValue);

    public static bool TryReadJson(ref Utf8JsonReader reader, out T value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }
        return Signed
            ? reader.TryGetInt64(out var signed) && TryNarrow(signed, out value)
            : reader.TryGetUInt64(out var unsigned) && TryNarrow(unsigned, out value);
    }

    public static bool TryParseText(ReadOnlySpan<byte> text, out T value)
    {
        value = default;
        int used;
        return Signed
            ? Utf8Parser.TryParse(text, out long signed, out used) && used == text.Length && TryNarrow(signed, out value)
            : Utf8Parser.TryParse(text, out ulong unsigned, out used) && used == text.Length && TryNarrow(unsigned, out value);
    }

    public static bool TryConvert(double number, out T value)
    {
        value = default;
        // The upper bound is one past MaxValue: exact for the narrow types, and for the 64-bit ones (double)MaxValue
        // already rounds up to 2^63 or 2^64, the first double out of range.
        if (double.IsNaN(number) || Math.Floor(number) != number
            || number < double.CreateTruncating(T.MinValue) || number >= double.CreateTruncating(T.MaxValue) + 1)
        {
            return false;
        }
        value = T.CreateTruncating(number);
        return true;
    }

    public static void WriteJson(Utf8JsonWriter writer, T value)
    {
        if (Signed)
        {
            writer.WriteNumberValue(long.CreateTruncating(value));
        }
        else
        {
            writer.WriteNumberValue(ulong.CreateTruncating(value));
        }
    }

    public static bool TryFormatText(T value, Span<byte> target, out int written) =>
        value.TryFormat(target, out written, default, CultureInfo.InvariantCulture);

    private static bool TryNarrow(long number, out T value)
    {
        value = T.CreateTruncating(number);
        return number >= long.CreateTruncating(T.MinValue) && number <= long.CreateTruncating(T.MaxValue);
    }

    private static bool TryNarrow(ulong number, out T value)
    {
        value = T.CreateTruncating(number);
        return number <= ulong.CreateTruncating(T.MaxValue);
    }
}
