using System.Runtime.InteropServices;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// Decodes a tensor's JSON <c>data</c> (flat or nested arrays, as clients send both) into little-endian element
/// bytes, checking every element against the datatype and the element count against the shape.
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
            TensorDataType.FP16 => TryDouble(ref reader, out var h) && Set(target, (Half)h),
            TensorDataType.FP32 => TryDouble(ref reader, out var f) && Set(target, (float)f),
            _ => TryDouble(ref reader, out var d) && Set(target, d),
        };
        if (!ok)
        {
            var text = reader.HasValueSequence ? "value" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            throw new InvalidInferenceInputException($"input '{name}': data element {index} ({text}) is not a valid {type.WireName()}");
        }
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
            return reader.TryGetDouble(out value);
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
