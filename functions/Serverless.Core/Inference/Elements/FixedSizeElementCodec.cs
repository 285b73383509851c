using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Serverless.Core.Inference.Elements;

/// <summary>The codec of a datatype whose elements are <typeparamref name="T"/>, read and written as <typeparamref name="TElement"/> says.</summary>
internal sealed class FixedSizeElementCodec<TElement, T>() : TensorElementCodec(Unsafe.SizeOf<T>())
    where TElement : struct, ITensorElement<T> where T : unmanaged
{
    public override bool TryReadJson(ref Utf8JsonReader reader, Span<byte> target) =>
        TElement.TryReadJson(ref reader, out var value) && Write(target, value);

    public override bool TryConvert(double number, Span<byte> target) =>
        TElement.TryConvert(number, out var value) && Write(target, value);

    public override void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> data)
    {
        foreach (var value in MemoryMarshal.Cast<byte, T>(data))
        {
            TElement.WriteJson(writer, value);
        }
    }

    public override int FormatText(ReadOnlySpan<byte> data, int index, Span<byte> target) =>
        TElement.TryFormatText(MemoryMarshal.Cast<byte, T>(data)[index], target, out var written)
            ? written
            : throw new InvalidOperationException("element text buffer too small");

    protected override bool TryParseTrimmed(ReadOnlySpan<byte> text, Span<byte> target) =>
        TElement.TryParseText(text, out var value) && Write(target, value);

    private static bool Write(Span<byte> target, T value)
    {
        MemoryMarshal.Write(target, in value);
        return true;
    }
}
