using System.Buffers.Binary;
using System.Text.Unicode;

namespace Serverless.Core.Inference;

/// <summary>
/// How the core carries a BYTES tensor: every element as a 4-byte little-endian length followed by that many bytes,
/// back to back in row-major order. That is Triton's binary tensor data layout for BYTES, so binary inputs and outputs
/// need no conversion, and every byte string (NUL bytes, bytes that are not UTF-8) travels unchanged.
/// </summary>
public static class BytesTensor
{
    public const int LengthPrefix = sizeof(uint);

    /// <summary>
    /// Counts the elements of <paramref name="data"/>, reading at most <paramref name="limit"/> of them; -1 when a length
    /// runs past the end of the data (or a length prefix is cut short).
    /// </summary>
    public static long CountElements(ReadOnlySpan<byte> data, long limit = long.MaxValue)
    {
        long count = 0;
        while (!data.IsEmpty && count < limit)
        {
            if (data.Length < LengthPrefix)
            {
                return -1;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length > (uint)(data.Length - LengthPrefix))
            {
                return -1;
            }
            data = data[(LengthPrefix + (int)length)..];
            count++;
        }
        return data.IsEmpty ? count : -1;
    }

    /// <summary>Bytes taken by the first <paramref name="elements"/> elements of well-formed data.</summary>
    public static int Offset(ReadOnlySpan<byte> data, long elements)
    {
        var offset = 0;
        for (long i = 0; i < elements; i++)
        {
            offset += LengthPrefix + (int)BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        }
        return offset;
    }

    /// <summary>Writes one element (prefix and bytes) at the start of <paramref name="target"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> target, ReadOnlySpan<byte> element)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)element.Length);
        element.CopyTo(target[LengthPrefix..]);
        return LengthPrefix + element.Length;
    }

    /// <summary>
    /// The first element of well-formed data that is not UTF-8, or -1. Such an element has no JSON string form (nor a
    /// place in a text file), so whoever writes BYTES as text checks first and tells the caller which element it was.
    /// </summary>
    public static long IndexOfInvalidUtf8(ReadOnlySpan<byte> data)
    {
        long index = 0;
        foreach (var element in Elements(data))
        {
            if (!Utf8.IsValid(element))
            {
                return index;
            }
            index++;
        }
        return -1;
    }

    /// <summary>The elements of well-formed data, in order: <c>foreach (var element in BytesTensor.Elements(data))</c>.</summary>
    public static Enumerator Elements(ReadOnlySpan<byte> data) => new(data);

    public ref struct Enumerator(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.Length < LengthPrefix)
            {
                return false;
            }
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_rest);
            Current = _rest.Slice(LengthPrefix, length);
            _rest = _rest[(LengthPrefix + length)..];
            return true;
        }
    }
}
