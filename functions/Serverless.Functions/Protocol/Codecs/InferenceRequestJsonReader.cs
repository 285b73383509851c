using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// Reads an Open Inference Protocol v2 JSON request with <see cref="Utf8JsonReader"/>. Keys may come in any order:
/// an input's <c>data</c> that comes after its name, datatype and shape (as clients send it) is decoded as it is read;
/// one that comes before is located first and decoded once they are known. Inputs with
/// <c>parameters.binary_data_size</c> take their bytes from the binary section that follows the JSON header
/// (binary tensor data extension), in input order, without a copy.
/// </summary>
public static class InferenceRequestJsonReader
{
    /// <summary>How a request is read, its tensor data included (<see cref="TensorDataJsonReader"/>): comments skipped.</summary>
    internal static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    /// <summary>A JSON-only request; tensors get arrays of their own.</summary>
    public static InferenceRequest Read(ReadOnlyMemory<byte> json) => Read(json, ReadOnlyMemory<byte>.Empty, null, out _);

    /// <param name="binary">The bytes after the JSON header; the returned tensors point into it, so it must outlive them.</param>
    /// <param name="buffers">Where JSON-decoded tensors are rented from; null allocates arrays.</param>
    public static InferenceRequest Read(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> binary, PooledTensorBuffers? buffers, out BinaryOutputSelection binaryOutputs)
    {
        var section = new BinarySection { Data = binary, Buffers = buffers };
        try
        {
            var request = ReadRequest(json.Span, ref section, out binaryOutputs);
            if (section.Offset != binary.Length)
            {
                throw new InvalidInferenceInputException(
                    $"{binary.Length} bytes of binary tensor data follow the JSON header, but the inputs' binary_data_size add up to {section.Offset}");
            }
            return request;
        }
        catch (JsonException e)
        {
            throw new InvalidInferenceInputException($"request body is not valid JSON: {e.Message}", e);
        }
    }

    private struct BinarySection
    {
        public ReadOnlyMemory<byte> Data;
        public int Offset;
        public PooledTensorBuffers? Buffers;
    }

    private static InferenceRequest ReadRequest(ReadOnlySpan<byte> body, ref BinarySection section, out BinaryOutputSelection binaryOutputs)
    {
        var reader = new Utf8JsonReader(body, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidInferenceInputException("request body must be a JSON object with an 'inputs' array");
        }
        string? id = null;
        List<InferenceTensor>? inputs = null;
        List<string>? outputs = null;
        var binaryByDefault = false;
        Dictionary<string, bool>? binaryPerOutput = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType switch
                {
                    JsonTokenType.String => GetText(ref reader, "id"),
                    JsonTokenType.Null => null,
                    _ => throw new InvalidInferenceInputException("'id' must be a string"),
                };
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                StartArray(ref reader, "inputs");
                inputs = new List<InferenceTensor>(1);
                while (NextObject(ref reader, "inputs", inputs.Count))
                {
                    inputs.Add(ReadInput(ref reader, body, inputs.Count, ref section));
                }
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                StartArray(ref reader, "outputs");
                outputs = [];
                while (NextObject(ref reader, "outputs", outputs.Count))
                {
                    var name = ReadOutput(ref reader, outputs.Count, out var binary);
                    outputs.Add(name);
                    if (binary is { } b)
                    {
                        (binaryPerOutput ??= [])[name] = b;
                    }
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                binaryByDefault = ReadBinaryFlag(ref reader, "binary_data_output"u8, "parameters.binary_data_output") ?? false;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (inputs is null)
        {
            throw new InvalidInferenceInputException("request has no 'inputs' array");
        }
        // One object and nothing after it but whitespace: a second object or trailing garbage is a malformed request,
        // not something to ignore (the reader throws for anything else than the end).
        if (reader.Read())
        {
            throw new InvalidInferenceInputException($"request body has more after its JSON object (a {reader.TokenType} at byte {reader.TokenStartIndex})");
        }
        binaryOutputs = binaryByDefault || binaryPerOutput is not null ? new BinaryOutputSelection(binaryByDefault, binaryPerOutput) : BinaryOutputSelection.None;
        return new InferenceRequest(id, inputs, outputs is null ? [] : outputs);
    }

    private static void StartArray(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidInferenceInputException($"'{field}' must be an array of objects");
        }
    }

    private static bool NextObject(ref Utf8JsonReader reader, string field, int index)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return false;
        }
        return reader.TokenType == JsonTokenType.StartObject
            ? true
            : throw new InvalidInferenceInputException($"'{field}[{index}]' must be an object");
    }

    private static InferenceTensor ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index, ref BinarySection section)
    {
        string? name = null;
        long[]? shape = null;
        TensorDataType? type = null;
        string? typeName = null;
        long? binarySize = null;
        var dataStart = -1L;
        var dataEnd = -1L;
        // Data decoded in the reader's pass, and the datatype and shape it was decoded for: a key repeated after it
        // (a later "shape" wins, as in any JSON object read into a map) sends it back to be decoded again.
        ReadOnlyMemory<byte>? decoded = null;
        (TensorDataType Type, long[] Shape) decodedAs = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ReadString(ref reader, "inputs", index, "name");
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                type = ReadDataType(ref reader, index, out typeName);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                shape = ReadShape(ref reader, index);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = reader.TokenStartIndex;
                decoded = null;
                if (name is not null && type is { } known && shape is not null)
                {
                    // The usual order (name, shape, datatype, then data): decoded in this pass, the text read once.
                    decoded = TensorDataJsonReader.Read(ref reader, body, name, known, shape, section.Buffers);
                    decodedAs = (known, shape);
                }
                else
                {
                    // Located now, decoded once the name, datatype and shape are known.
                    reader.Skip();
                }
                dataEnd = reader.BytesConsumed;
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                binarySize = ReadBinarySize(ref reader, index);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        var label = name is null ? $"inputs[{index}]" : $"input '{name}'";
        if (name is null)
        {
            throw new InvalidInferenceInputException($"{label} has no 'name'");
        }
        if (typeName is null)
        {
            throw new InvalidInferenceInputException($"{label} has no 'datatype'");
        }
        if (type is null)
        {
            throw new InvalidInferenceInputException($"{label}: datatype '{typeName}' is not one of {TensorDataTypes.WireNames}");
        }
        if (shape is null)
        {
            throw new InvalidInferenceInputException($"{label} has no 'shape'");
        }
        if (binarySize is { } size)
        {
            if (dataStart >= 0)
            {
                throw new InvalidInferenceInputException($"{label} has both 'data' and parameters.binary_data_size; send one of them");
            }
            return new InferenceTensor(name, type.Value, shape, TakeBinary(ref section, label, type.Value, shape, size));
        }
        if (decoded is { } data && decodedAs.Type == type.Value && ReferenceEquals(decodedAs.Shape, shape))
        {
            return new InferenceTensor(name, type.Value, shape, data);
        }
        if (dataStart < 0)
        {
            throw new InvalidInferenceInputException($"{label} has no 'data' (nor parameters.binary_data_size)");
        }
        data = TensorDataJsonReader.Read(body[(int)dataStart..(int)dataEnd], name, type.Value, shape, section.Buffers);
        return new InferenceTensor(name, type.Value, shape, data);
    }

    /// <summary>The input's slice of the binary section, checked against its shape before anything reads it.</summary>
    private static ReadOnlyMemory<byte> TakeBinary(ref BinarySection section, string label, TensorDataType type, long[] shape, long size)
    {
        var count = TensorShape.ElementCount(shape);
        if (type == TensorDataType.Bytes)
        {
            return TakeBinaryBytes(ref section, label, shape, count, size);
        }
        var needed = count > long.MaxValue / type.ElementSize() ? long.MaxValue : count * type.ElementSize();
        if (size != needed)
        {
            throw new InvalidInferenceInputException(
                $"{label}: binary_data_size {size} does not match shape {TensorShape.Format(shape)} of {type.WireName()}, which needs {needed} bytes");
        }
        var remaining = section.Data.Length - section.Offset;
        if (size > remaining)
        {
            throw new InvalidInferenceInputException(
                $"{label}: binary_data_size {size} but only {remaining} bytes of binary tensor data are left after the JSON header (body has {section.Data.Length})");
        }
        var data = section.Data.Slice(section.Offset, (int)size);
        section.Offset += (int)size;
        // BOOL is one byte per element on the wire; anything but 0 and 1 would reach the model as an undefined bool.
        if (type == TensorDataType.Bool && data.Span.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
        {
            throw new InvalidInferenceInputException($"{label}: BOOL element {bad} is byte {data.Span[bad]}, expected 0 or 1");
        }
        return data;
    }

    /// <summary>
    /// BYTES: the elements are variable-length, so binary_data_size is whatever the 4-byte lengths and bytes add up to
    /// (Triton's layout); the slice must hold exactly the shape's element count of them.
    /// </summary>
    private static ReadOnlyMemory<byte> TakeBinaryBytes(ref BinarySection section, string label, long[] shape, long count, long size)
    {
        var remaining = section.Data.Length - section.Offset;
        if (size > remaining)
        {
            throw new InvalidInferenceInputException(
                $"{label}: binary_data_size {size} but only {remaining} bytes of binary tensor data are left after the JSON header (body has {section.Data.Length})");
        }
        var data = section.Data.Slice(section.Offset, (int)size);
        // Reading one element more than the shape needs is enough to tell "too many" from "exactly right".
        var elements = BytesTensor.CountElements(data.Span, count == long.MaxValue ? count : count + 1);
        if (elements < 0)
        {
            throw new InvalidInferenceInputException(
                $"{label}: the {size} bytes of BYTES data are not a sequence of 4-byte little-endian lengths each followed by that many bytes");
        }
        if (elements != count)
        {
            throw new InvalidInferenceInputException(
                $"{label}: binary BYTES data holds {(elements > count ? "more than " + count : elements)} elements, shape {TensorShape.Format(shape)} needs {count}");
        }
        section.Offset += (int)size;
        return data;
    }

    private static long? ReadBinarySize(ref Utf8JsonReader reader, int index)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidInferenceInputException($"inputs[{index}].parameters must be an object");
        }
        long? size = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("binary_data_size"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
                {
                    throw new InvalidInferenceInputException($"inputs[{index}].parameters.binary_data_size must be a non-negative integer");
                }
                size = value;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return size;
    }

    /// <summary>Reads a <c>parameters</c> object and returns its boolean <paramref name="key"/>, if there.</summary>
    private static bool? ReadBinaryFlag(ref Utf8JsonReader reader, ReadOnlySpan<byte> key, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidInferenceInputException($"'{field[..field.LastIndexOf('.')]}' must be an object");
        }
        bool? flag = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(key))
            {
                reader.Read();
                flag = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new InvalidInferenceInputException($"'{field}' must be true or false"),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return flag;
    }

    private static string ReadOutput(ref Utf8JsonReader reader, int index, out bool? binary)
    {
        string? name = null;
        binary = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ReadString(ref reader, "outputs", index, "name");
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                binary = ReadBinaryFlag(ref reader, "binary_data"u8, $"outputs[{index}].parameters.binary_data");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return name ?? throw new InvalidInferenceInputException($"outputs[{index}] has no 'name'");
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, int index)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidInferenceInputException($"inputs[{index}].shape must be an array of integers");
        }
        Span<long> dims = stackalloc long[8];
        var rank = 0;
        List<long>? more = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw new InvalidInferenceInputException($"inputs[{index}].shape must hold non-negative integers");
            }
            if (rank < dims.Length)
            {
                dims[rank] = dim;
            }
            else
            {
                (more ??= []).Add(dim);
            }
            rank++;
        }
        return more is null ? dims[..rank].ToArray() : [.. dims, .. more];
    }

    // The field is named only on failure, so a good request pays for no message strings.
    private static string ReadString(ref Utf8JsonReader reader, string array, int index, string key)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String
            ? GetText(ref reader, $"{array}[{index}].{key}")
            : throw new InvalidInferenceInputException($"'{array}[{index}].{key}' must be a string");
    }

    /// <summary>
    /// A JSON string as text. The reader does not check that string bytes are UTF-8, and transcoding invalid ones
    /// throws InvalidOperationException, which reached clients as a 500.
    /// </summary>
    private static string GetText(ref Utf8JsonReader reader, string field)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidInferenceInputException($"'{field}' is not valid UTF-8 text: {e.Message}", e);
        }
    }

    /// <summary>Parses the datatype without allocating its name; <paramref name="typeName"/> is null only when absent.</summary>
    private static TensorDataType? ReadDataType(ref Utf8JsonReader reader, int index, out string typeName)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidInferenceInputException($"'inputs[{index}].datatype' must be a string");
        }
        Span<char> text = stackalloc char[16];
        if (!reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= text.Length && System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
        {
            var length = reader.CopyString(text);
            if (TensorDataTypes.TryParse(text[..length], out var parsed))
            {
                typeName = "";
                return parsed;
            }
        }
        typeName = GetText(ref reader, $"inputs[{index}].datatype");
        return TensorDataTypes.TryParse(typeName, out var slow) ? slow : null;
    }
}
