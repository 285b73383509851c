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
    /// <summary>The data as its own JSON text (the request reader's way when the datatype or shape came after it).</summary>
    /// <param name="buffers">Where the element bytes are rented from (returned after the response); null allocates.</param>
    public static ReadOnlyMemory<byte> Read(ReadOnlySpan<byte> json, string name, TensorDataType type, long[] shape, PooledTensorBuffers? buffers = null)
    {
        // Read as the request's own reader reads it: comments are skipped wherever a request has them.
        var reader = new Utf8JsonReader(json, InferenceRequestJsonReader.Options);
        reader.Read();
        var data = Read(ref reader, json, name, type, shape, buffers);
        // Anything after the value is not JSON: the reader says so.
        reader.Read();
        return data;
    }

    /// <summary>
    /// The data value <paramref name="reader"/> is on (its first token), decoded in the reader's own pass and left on
    /// the value's last token, as <see cref="Utf8JsonReader.Skip"/> leaves it: the request's text is read once, not
    /// once to find the data and again to decode it.
    /// </summary>
    /// <param name="text">The text the reader reads: what is left of it bounds the element count.</param>
    public static ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> text, string name, TensorDataType type, long[] shape, PooledTensorBuffers? buffers = null)
    {
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw new InvalidInferenceInputException($"input '{name}': shape {TensorShape.Format(shape)} has a negative dimension");
        }
        // Every element takes at least one byte of JSON text and a separator, so the text left bounds the count before
        // anything is allocated: a small body declaring a huge shape is refused here, not by running out of memory.
        // Decoded tensors are therefore at most 4x the JSON (FP64 "1," is 2 bytes of text, 8 of tensor).
        if (count > (text.Length - reader.TokenStartIndex + 1) / 2)
        {
            throw new InvalidInferenceInputException($"input '{name}': data has {CountValues(reader)} elements but shape {TensorShape.Format(shape)} needs {count}");
        }
        // The decoder reads a copy of the reader (a ref struct cannot be held by reference), handed back once done.
        var decoder = new Decoder(reader, name, type, shape, count, buffers);
        var data = type.Visit<Decoder, ReadOnlyMemory<byte>>(ref decoder);
        reader = decoder.Reader;
        return data;
    }

    /// <summary>The decoding loop, compiled once per datatype: each element is parsed straight into its typed slot.</summary>
    private ref struct Decoder(Utf8JsonReader reader, string name, TensorDataType type, long[] shape, long count, PooledTensorBuffers? buffers)
        : ITensorElementVisitor<ReadOnlyMemory<byte>>
    {
        public Utf8JsonReader Reader = reader;

        public ReadOnlyMemory<byte> Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged
        {
            var size = Unsafe.SizeOf<T>();
            if (count > int.MaxValue / size)
            {
                throw new InvalidInferenceInputException($"input '{name}': shape {TensorShape.Format(shape)} is too large");
            }
            var memory = buffers is null ? new byte[count * size] : buffers.Rent((int)count * size);
            var elements = MemoryMarshal.Cast<byte, T>(memory.Span);
            ref var reader = ref Reader;
            var depth = reader.CurrentDepth;
            var index = 0;
            while (true)
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray:
                    case JsonTokenType.EndArray:
                        break;
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
                        break;
                    default:
                        throw new InvalidInferenceInputException($"input '{name}': data element {index} is {reader.TokenType}, expected a {type.WireName()} value");
                }
                if (!NextInValue(ref reader, depth))
                {
                    break;
                }
            }
            if (index != count)
            {
                throw new InvalidInferenceInputException($"input '{name}': data has {index} elements but shape {TensorShape.Format(shape)} needs {count}");
            }
            return memory;
        }

        public ReadOnlyMemory<byte> VisitBytes() => ReadBytes(ref Reader, name, shape, count, buffers);
    }

    private static InvalidInferenceInputException NotAValue(ref Utf8JsonReader reader, string name, TensorDataType type, long index)
    {
        var text = reader.HasValueSequence ? "value" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        var problem = type.IsFloatingPoint() && reader.TokenType == JsonTokenType.Number
            ? $"is outside the range of {type.WireName()} (infinities are the strings \"Infinity\" and \"-Infinity\")"
            : $"is not a valid {type.WireName()}";
        return new InvalidInferenceInputException($"input '{name}': data element {index} ({text}) {problem}");
    }

    /// <summary>Values in the data the reader is on, for the message only: a pass of a copy of the reader, allocating nothing.</summary>
    private static long CountValues(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        long values = 0;
        while (true)
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                values++;
            }
            if (!NextInValue(ref reader, depth))
            {
                return values;
            }
        }
    }

    /// <summary>
    /// Moves to the next token of the value that started at <paramref name="depth"/>; false on the value's last token
    /// (its closing bracket, or the value itself when it is not an array), or where the text ends inside it, which a
    /// reader of a complete body throws for first.
    /// </summary>
    private static bool NextInValue(ref Utf8JsonReader reader, int depth) =>
        !(reader.CurrentDepth == depth && reader.TokenType != JsonTokenType.StartArray) && reader.Read();

    /// <summary>BYTES: each element a JSON string; its unescaped UTF-8 bytes go behind a 4-byte length.</summary>
    private static ReadOnlyMemory<byte> ReadBytes(ref Utf8JsonReader reader, string name, long[] shape, long count, PooledTensorBuffers? buffers)
    {
        // An unescaped string is never longer than its JSON text, so the value's text plus the length prefixes is
        // enough room: a copy of the reader finds where the value ends.
        var end = reader;
        end.Skip();
        var capacity = (int)(end.BytesConsumed - reader.TokenStartIndex) + (int)count * BytesTensor.LengthPrefix;
        var memory = buffers is null ? new byte[capacity] : buffers.Rent(capacity);
        var bytes = memory.Span;
        var depth = reader.CurrentDepth;
        long index = 0;
        var offset = 0;
        while (true)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                case JsonTokenType.EndArray:
                    break;
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
                    break;
                default:
                    throw new InvalidInferenceInputException($"input '{name}': data element {index} is {reader.TokenType}, expected a string (BYTES elements are JSON strings)");
            }
            if (!NextInValue(ref reader, depth))
            {
                break;
            }
        }
        if (index != count)
        {
            throw new InvalidInferenceInputException($"input '{name}': data has {index} elements but shape {TensorShape.Format(shape)} needs {count}");
        }
        return memory[..offset];
    }
}
