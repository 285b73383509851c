using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

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
        var decoder = new Decoder(json, name, type, shape, count, buffers);
        return type.Visit<Decoder, ReadOnlyMemory<byte>>(ref decoder);
    }

    /// <summary>The decoding loop, compiled once per datatype: each element is parsed straight into its typed slot.</summary>
    private readonly ref struct Decoder(ReadOnlySpan<byte> json, string name, TensorDataType type, long[] shape, long count, PooledTensorBuffers? buffers)
        : ITensorElementVisitor<ReadOnlyMemory<byte>>
    {
        private readonly ReadOnlySpan<byte> _json = json;

        public ReadOnlyMemory<byte> Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged
        {
            var size = Unsafe.SizeOf<T>();
            if (count > int.MaxValue / size)
            {
                throw new InvalidInferenceInputException($"input '{name}': shape {TensorShape.Format(shape)} is too large");
            }
            var memory = buffers is null ? new byte[count * size] : buffers.Rent((int)count * size);
            var elements = MemoryMarshal.Cast<byte, T>(memory.Span);
            // Floating-point data of plain numbers, what most clients send, takes the quick path; anything else (and
            // every error) the general one below. The type tests are constants in each datatype's compiled loop.
            if ((typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half))
                && FloatDataJsonScanner.TryRead<TElement, T>(_json, elements))
            {
                return memory;
            }
            var reader = new Utf8JsonReader(_json);
            var index = 0;
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
                        if (index >= elements.Length)
                        {
                            throw new InvalidInferenceInputException($"input '{name}': data has more than the {count} elements shape {TensorShape.Format(shape)} needs");
                        }
                        if (!TElement.TryReadJson(ref reader, out elements[index]))
                        {
                            throw NotAValue(ref reader, name, type, index);
                        }
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

        public ReadOnlyMemory<byte> VisitBytes() => ReadBytes(_json, name, shape, count, buffers);
    }

    private static InvalidInferenceInputException NotAValue(ref Utf8JsonReader reader, string name, TensorDataType type, long index)
    {
        var text = reader.HasValueSequence ? "value" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        var problem = type.IsFloatingPoint() && reader.TokenType == JsonTokenType.Number
            ? $"is outside the range of {type.WireName()} (infinities are the strings \"Infinity\" and \"-Infinity\")"
            : $"is not a valid {type.WireName()}";
        return new InvalidInferenceInputException($"input '{name}': data element {index} ({text}) {problem}");
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
}
