using System.Runtime.InteropServices;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// Decodes a tensor's JSON <c>data</c> (flat or nested arrays, as clients send both) into little-endian element
/// bytes, checking every element against the datatype and the element count against the shape. BYTES elements are
/// JSON strings, each stored as its UTF-8 bytes behind a 4-byte length (<see cref="BytesTensor"/>).
/// </summary>
public static class TensorDataJsonReader
{
    /// <param name="buffers">Where the element bytes are rented from (returned after the response); null allocates.</param>
    public static ReadOnlyMemory<byte> Read(ReadOnlySpan<byte> json, string name, TensorDataType type, long[] shape, PooledTensorBuffers? buffers = null)
    {
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw new InvalidInferenceInputException($"input '{name}': shape {TensorShape.Format(shape)} has a negative dimension");
        }
        // Every element takes at least one byte of JSON text and a separator, so the text bounds the count before
        // anything is allocated: a small body declaring a huge shape is refused here, not by running out of memory.
        // Decoded tensors are therefore at most 4x the JSON (FP64 "1," is 2 bytes of text, 8 of tensor).
        if (count > (json.Length + 1) / 2)
        {
            throw new InvalidInferenceInputException($"input '{name}': data has {CountValues(json)} elements but shape {TensorShape.Format(shape)} needs {count}");
        }
        if (type == TensorDataType.Bytes)
        {
            return ReadBytes(json, name, shape, count, buffers);
        }
        var size = type.ElementSize();
        if (count > int.MaxValue / size)
        {
            throw new InvalidInferenceInputException($"input '{name}': shape {TensorShape.Format(shape)} is too large");
        }
        var memory = buffers is null ? new byte[count * size] : buffers.Rent((int)count * size);
        var bytes = memory.Span;
        var reader = new Utf8JsonReader(json);
        long index = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                case JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.Number:
                case JsonTokenType.True:
                case JsonTokenType.False:
                case JsonTokenType.String:
                    if (index >= count)
                    {
                        throw new InvalidInferenceInputException($"input '{name}': data has more than the {count} elements shape {TensorShape.Format(shape)} needs");
                    }
                    WriteElement(ref reader, bytes.Slice((int)index * size, size), type, name, index);
                    index++;
                    continue;
                default:
                    throw new InvalidInferenceInputException($"input '{name}': data element {index} is {reader.TokenType}, expected a {type.WireName()} value");
            }
        }
        if (index != count)
        {
            throw new InvalidInferenceInputException($"input '{name}': data has {index} elements but shape {TensorShape.Format(shape)} needs {count}");
        }
        return memory;
    }

    private static void WriteElement(ref Utf8JsonReader reader, Span<byte> target, TensorDataType type, string name, long index)
    {
        var ok = type switch
        {
            TensorDataType.Bool => TryBool(ref reader, target),
            TensorDataType.UInt8 => TryInteger(ref reader, out ulong u8, byte.MaxValue) && Set(target, (byte)u8),
            TensorDataType.UInt16 => TryInteger(ref reader, out ulong u16, ushort.MaxValue) && Set(target, (ushort)u16),
            TensorDataType.UInt32 => reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var u32) && Set(target, u32),
            TensorDataType.UInt64 => reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var u64) && Set(target, u64),
            TensorDataType.Int8 => TrySigned(ref reader, out long i8, sbyte.MinValue, sbyte.MaxValue) && Set(target, (sbyte)i8),
            TensorDataType.Int16 => TrySigned(ref reader, out long i16, short.MinValue, short.MaxValue) && Set(target, (short)i16),
            TensorDataType.Int32 => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i32) && Set(target, i32),
            TensorDataType.Int64 => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var i64) && Set(target, i64),
            // A number beyond the type's range would become infinity; only the strings "Infinity"/"-Infinity" mean that.
            TensorDataType.FP16 => TryDouble(ref reader, out var h) && Half.IsFinite((Half)h) == double.IsFinite(h) && Set(target, (Half)h),
            TensorDataType.FP32 => TryDouble(ref reader, out var f) && float.IsFinite((float)f) == double.IsFinite(f) && Set(target, (float)f),
            _ => TryDouble(ref reader, out var d) && Set(target, d),
        };
        if (!ok)
        {
            var text = reader.HasValueSequence ? "value" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            var problem = type.IsFloatingPoint() && reader.TokenType == JsonTokenType.Number
                ? $"is outside the range of {type.WireName()} (infinities are the strings \"Infinity\" and \"-Infinity\")"
                : $"is not a valid {type.WireName()}";
            throw new InvalidInferenceInputException($"input '{name}': data element {index} ({text}) {problem}");
        }
    }

    /// <summary>Values in the data, for the message only: a pass of the reader, allocating nothing.</summary>
    private static long CountValues(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        long values = 0;
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                values++;
            }
        }
        return values;
    }

    /// <summary>BYTES: each element a JSON string; its unescaped UTF-8 bytes go behind a 4-byte length.</summary>
    private static ReadOnlyMemory<byte> ReadBytes(ReadOnlySpan<byte> json, string name, long[] shape, long count, PooledTensorBuffers? buffers)
    {
        // An unescaped string is never longer than its JSON text, so the text plus the length prefixes is enough room.
        var capacity = json.Length + (int)count * BytesTensor.LengthPrefix;
        var memory = buffers is null ? new byte[capacity] : buffers.Rent(capacity);
        var bytes = memory.Span;
        var reader = new Utf8JsonReader(json);
        long index = 0;
        var offset = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                case JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.String:
                    if (index >= count)
                    {
                        throw new InvalidInferenceInputException($"input '{name}': data has more than the {count} elements shape {TensorShape.Format(shape)} needs");
                    }
                    int length;
                    try
                    {
                        length = reader.CopyString(bytes[(offset + BytesTensor.LengthPrefix)..]);
                    }
                    catch (InvalidOperationException e)
                    {
                        // An escape that is not valid UTF-16 (a lone surrogate such as \ud800).
                        throw new InvalidInferenceInputException($"input '{name}': data element {index} is not a valid string: {e.Message}", e);
                    }
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes[offset..], (uint)length);
                    offset += BytesTensor.LengthPrefix + length;
                    index++;
                    continue;
                default:
                    throw new InvalidInferenceInputException($"input '{name}': data element {index} is {reader.TokenType}, expected a string (BYTES elements are JSON strings)");
            }
        }
        if (index != count)
        {
            throw new InvalidInferenceInputException($"input '{name}': data has {index} elements but shape {TensorShape.Format(shape)} needs {count}");
        }
        return memory[..offset];
    }

    private static bool Set<T>(Span<byte> target, T value) where T : unmanaged
    {
        // Tensor bytes are little-endian on the wire and in ONNX Runtime, as on every host .NET and ONNX Runtime ship for.
        MemoryMarshal.Write(target, in value);
        return true;
    }

    private static bool TryBool(ref Utf8JsonReader reader, Span<byte> target)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                target[0] = 1;
                return true;
            case JsonTokenType.False:
                target[0] = 0;
                return true;
            case JsonTokenType.Number when reader.TryGetInt32(out var n) && n is 0 or 1:
                target[0] = (byte)n;
                return true;
            default:
                return false;
        }
    }

    private static bool TryInteger(ref Utf8JsonReader reader, out ulong value, ulong max)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out value) && value <= max;
    }

    private static bool TrySigned(ref Utf8JsonReader reader, out long value, long min, long max)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value >= min && value <= max;
    }

    private static bool TryDouble(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            // 1e400 parses as infinity: a number out of FP64's range is refused, not turned into one.
            return reader.TryGetDouble(out value) && double.IsFinite(value);
        }
        // JSON has no NaN or infinities; accept the strings this server writes for them.
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("NaN"u8)) { value = double.NaN; return true; }
            if (reader.ValueTextEquals("Infinity"u8)) { value = double.PositiveInfinity; return true; }
            if (reader.ValueTextEquals("-Infinity"u8)) { value = double.NegativeInfinity; return true; }
        }
        return false;
    }
}
