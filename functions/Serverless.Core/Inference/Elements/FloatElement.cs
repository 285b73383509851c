using System.Globalization;
using System.Numerics;
using System.Text.Json;
using csFastFloat;

namespace Serverless.Core.Inference.Elements;

/// <summary>
/// FP16, FP32 and FP64. Every value is read as a double and narrowed; a finite value that the narrower type could only
/// hold as infinity (<c>1e40</c> as FP32) is refused. JSON has no NaN or infinities, so they travel as the strings
/// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, and only those exact strings mean them.
/// </summary>
public readonly struct FloatElement<T> : ITensorElement<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool TryReadJson(ref Utf8JsonReader reader, out T value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            // 1e400 parses as infinity: a number out of FP64's range is refused, not turned into one.
            if (TryGetDouble(ref reader, out var number) && double.IsFinite(number))
            {
                return TryConvert(number, out value);
            }
        }
        else if (reader.TokenType == JsonTokenType.String && TrySpecial(ref reader, out var special))
        {
            return TryConvert(special, out value);
        }
        value = default;
        return false;
    }

    public static bool TryParseText(ReadOnlySpan<byte> text, out T value)
    {
        // A plain finite number, what a CSV of features holds, is parsed by csFastFloat (the same bits as double.TryParse,
        // three to four times faster); anything else goes by the runtime's rules below.
        if (TryParseWhole(text, out var fast) && double.IsFinite(fast))
        {
            return TryConvert(fast, out value);
        }
        // double.TryParse takes "1e400" as infinity and "nan" or "+Infinity" in any case: only the exact strings
        // this codec writes mean the special values.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && (double.IsFinite(number) || text.SequenceEqual("NaN"u8) || text.SequenceEqual("Infinity"u8) || text.SequenceEqual("-Infinity"u8)))
        {
            return TryConvert(number, out value);
        }
        value = default;
        return false;
    }

    public static bool TryConvert(double number, out T value)
    {
        value = T.CreateTruncating(number);
        return T.IsFinite(value) == double.IsFinite(number);
    }

    public static void WriteJson(Utf8JsonWriter writer, T value)
    {
        if (!T.IsFinite(value))
        {
            writer.WriteStringValue(T.IsNaN(value) ? "NaN"u8 : T.IsNegative(value) ? "-Infinity"u8 : "Infinity"u8);
        }
        else if (typeof(T) == typeof(double))
        {
            writer.WriteNumberValue(double.CreateTruncating(value));
        }
        else
        {
            // FP16 is written as the float it widens to (the shortest text that round-trips that float), as it always was.
            writer.WriteNumberValue(float.CreateTruncating(value));
        }
    }

    public static bool TryFormatText(T value, Span<byte> target, out int written) => typeof(T) == typeof(double)
        ? double.CreateTruncating(value).TryFormat(target, out written, default, CultureInfo.InvariantCulture)
        : float.CreateTruncating(value).TryFormat(target, out written, default, CultureInfo.InvariantCulture);

    /// <summary>
    /// The number token as a double, rounded exactly as <see cref="Utf8JsonReader.TryGetDouble"/> rounds it. csFastFloat
    /// (the Eisel-Lemire algorithm) reads the token the reader has already checked in one pass, where TryGetDouble
    /// scans it again into the runtime's decimal buffer first: 256 numbers of 17 digits, as numpy prints float32
    /// values, took 25 us that way and 9 this way (issue 26: JSON decoding was the largest managed part of a row).
    /// </summary>
    private static bool TryGetDouble(ref Utf8JsonReader reader, out double number)
    {
        if (!reader.HasValueSequence && TryParseWhole(reader.ValueSpan, out number))
        {
            return true;
        }
        return reader.TryGetDouble(out number);
    }

    /// <summary>csFastFloat's reading of <paramref name="text"/>, when the number it found is the whole text.</summary>
    private static bool TryParseWhole(ReadOnlySpan<byte> text, out double number) =>
        FastDoubleParser.TryParseDouble(text, out var consumed, out number) && consumed == text.Length;

    private static bool TrySpecial(ref Utf8JsonReader reader, out double number)
    {
        number = reader.ValueTextEquals("NaN"u8) ? double.NaN
            : reader.ValueTextEquals("Infinity"u8) ? double.PositiveInfinity
            : reader.ValueTextEquals("-Infinity"u8) ? double.NegativeInfinity
            : 0;
        return number != 0;
    }
}
