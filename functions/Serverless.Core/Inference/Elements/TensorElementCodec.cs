using System.Text.Json;

namespace Serverless.Core.Inference.Elements;

/// <summary>
/// One datatype's elements to and from JSON values, text fields and typed-column numbers, for code that learns the
/// datatype at run time and handles an element or a span at a time: <c>TensorElementCodec.For(type).WriteJson(writer, data)</c>.
/// Each instance is its datatype's <see cref="ITensorElement{T}"/> behind one virtual call; a loop over every element
/// of a large tensor visits the datatype instead (<see cref="TensorDataTypes.Visit{TVisitor,TResult}"/>), as the
/// <c>/infer</c> JSON decoder does. Element bytes are little-endian, as on the wire and in ONNX Runtime.
/// </summary>
public abstract class TensorElementCodec(int elementSize)
{
    // Indexed by the enum's value: Enum.GetValues returns the datatypes sorted, and they number from 0 without gaps.
    private static readonly TensorElementCodec[] ByType = Enum.GetValues<TensorDataType>().Select(Create).ToArray();

    public static TensorElementCodec For(TensorDataType type) => ByType[(int)type];

    /// <summary>Bytes per element; 0 for BYTES, whose elements are length-prefixed (<see cref="BytesTensor"/>).</summary>
    public int ElementSize { get; } = elementSize;

    /// <summary>The JSON value the reader is on into the first <see cref="ElementSize"/> bytes of <paramref name="target"/>.</summary>
    public abstract bool TryReadJson(ref Utf8JsonReader reader, Span<byte> target);

    /// <summary>A value written as text (a CSV field); spaces and tabs around it are ignored.</summary>
    public bool TryParseText(ReadOnlySpan<byte> text, Span<byte> target) => TryParseTrimmed(text.Trim(" \t"u8), target);

    /// <summary>A number from a typed column; integer types take only whole numbers in their range.</summary>
    public abstract bool TryConvert(double number, Span<byte> target);

    /// <summary>Every element of <paramref name="data"/> as a JSON value, in order (the caller writes the array around them).</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> data);

    /// <summary>Element <paramref name="index"/> of <paramref name="data"/> as text; returns the bytes written.</summary>
    public abstract int FormatText(ReadOnlySpan<byte> data, int index, Span<byte> target);

    protected abstract bool TryParseTrimmed(ReadOnlySpan<byte> text, Span<byte> target);

    private static TensorElementCodec Create(TensorDataType type)
    {
        var factory = new Factory();
        return type.Visit<Factory, TensorElementCodec>(ref factory);
    }

    private readonly struct Factory : ITensorElementVisitor<TensorElementCodec>
    {
        public TensorElementCodec Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged =>
            new FixedSizeElementCodec<TElement, T>();

        public TensorElementCodec VisitBytes() => new BytesElementCodec();
    }
}
