using System.Text.Json;

namespace Serverless.Core.Inference.Elements;

/// <summary>
/// How the elements of one fixed-size datatype are read and written, element type <typeparamref name="T"/> being their
/// little-endian layout in tensor data. Static members on a struct: a loop generic over the element compiles to one
/// specialized loop per datatype, with no per-element branch on the datatype, delegate or boxing.
/// </summary>
public interface ITensorElement<T> where T : unmanaged
{
    /// <summary>The JSON value the reader is on (<c>/infer</c> data, a JSONL field); false when it is not one of these.</summary>
    static abstract bool TryReadJson(ref Utf8JsonReader reader, out T value);

    /// <summary>A value written as text (a CSV field), already trimmed of spaces.</summary>
    static abstract bool TryParseText(ReadOnlySpan<byte> text, out T value);

    /// <summary>A number from a typed column (Parquet reads every numeric column as double).</summary>
    static abstract bool TryConvert(double number, out T value);

    /// <summary>One JSON value; numbers JSON cannot hold (NaN, infinities) as the strings <see cref="TryReadJson"/> accepts.</summary>
    static abstract void WriteJson(Utf8JsonWriter writer, T value);

    /// <summary>Text that <see cref="TryParseText"/> reads back to the same value (invariant culture, shortest round trip).</summary>
    static abstract bool TryFormatText(T value, Span<byte> target, out int written);
}
