using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// Reads an Open Inference Protocol v2 JSON request with <see cref="Utf8JsonReader"/>. Keys may come in any order,
/// so each input's <c>data</c> is located first and decoded once its datatype and shape are known.
/// </summary>
public static class InferenceRequestJsonReader
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    public static InferenceRequest Read(ReadOnlySpan<byte> body)
    {
        try
        {
            return ReadRequest(body);
        }
        catch (JsonException e)
        {
            throw new InvalidInferenceInputException($"request body is not valid JSON: {e.Message}", e);
        }
    }

    private static InferenceRequest ReadRequest(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidInferenceInputException("request body must be a JSON object with an 'inputs' array");
        }
        string? id = null;
        List<InferenceTensor>? inputs = null;
        var outputs = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw new InvalidInferenceInputException("'id' must be a string"),
                };
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                inputs = ReadArray(ref reader, body, "inputs", ReadInput);
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                outputs = ReadArray(ref reader, body, "outputs", ReadOutput);
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
        return new InferenceRequest(id, inputs, outputs);
    }

    private delegate T ElementReader<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index);

    private static List<T> ReadArray<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string field, ElementReader<T> read)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidInferenceInputException($"'{field}' must be an array of objects");
        }
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidInferenceInputException($"'{field}[{items.Count}]' must be an object");
            }
            items.Add(read(ref reader, body, items.Count));
        }
        return items;
    }

    private static InferenceTensor ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index)
    {
        string? name = null;
        long[]? shape = null;
        TensorDataType? type = null;
        string? typeName = null;
        var dataStart = -1L;
        var dataEnd = -1L;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ReadString(ref reader, $"inputs[{index}].name");
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                typeName = ReadString(ref reader, $"inputs[{index}].datatype");
                type = TensorDataTypes.TryParse(typeName, out var parsed) ? parsed : null;
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                shape = ReadShape(ref reader, index);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                dataStart = reader.TokenStartIndex;
                reader.Skip();
                dataEnd = reader.BytesConsumed;
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
            throw new InvalidInferenceInputException($"{label}: datatype '{typeName}' is not one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64");
        }
        if (shape is null)
        {
            throw new InvalidInferenceInputException($"{label} has no 'shape'");
        }
        if (dataStart < 0)
        {
            throw new InvalidInferenceInputException($"{label} has no 'data'");
        }
        var data = TensorDataJsonReader.Read(body[(int)dataStart..(int)dataEnd], name, type.Value, shape);
        return new InferenceTensor(name, type.Value, shape, data);
    }

    private static string ReadOutput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index)
    {
        string? name = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ReadString(ref reader, $"outputs[{index}].name");
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
        var dims = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw new InvalidInferenceInputException($"inputs[{index}].shape must hold non-negative integers");
            }
            dims.Add(dim);
        }
        return [.. dims];
    }

    private static string ReadString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new InvalidInferenceInputException($"'{field}' must be a string");
    }
}
