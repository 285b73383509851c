using System.Text.Json;

namespace Serverless.Core.Inference.Elements;

/// <summary>
/// BYTES: each element a byte string (<see cref="BytesTensor"/>), a JSON string on the way out. Its elements are read
/// whole by the codecs that carry them (JSON strings, CSV fields), never into a fixed-size slot, so asking this codec
/// to read or format one element is a bug.
/// </summary>
internal sealed class BytesElementCodec() : TensorElementCodec(0)
{
    /// <summary>Elements that are not UTF-8 have no JSON string form: check first (<see cref="BytesTensor.IndexOfInvalidUtf8"/>).</summary>
    public override void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> data)
    {
        // The writer escapes what JSON needs escaped (NUL, quotes).
        foreach (var element in BytesTensor.Elements(data))
        {
            writer.WriteStringValue(element);
        }
    }

    public override bool TryReadJson(ref Utf8JsonReader reader, Span<byte> target) => throw NoFixedSize();

    public override bool TryConvert(double number, Span<byte> target) => throw NoFixedSize();

    public override int FormatText(ReadOnlySpan<byte> data, int index, Span<byte> target) => throw NoFixedSize();

    protected override bool TryParseTrimmed(ReadOnlySpan<byte> text, Span<byte> target) => throw NoFixedSize();

    private static InvalidOperationException NoFixedSize() => new("BYTES elements have no fixed size");
}
