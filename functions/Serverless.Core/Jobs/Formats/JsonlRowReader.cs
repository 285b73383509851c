using System.Text;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// A JSONL row: exactly one object mapping input fields to values (a number, or a flat or nested array for a per-row
/// tensor; strings for a BYTES input), plus an optional <c>id</c> (a string or a number). Other fields are ignored. A
/// line holding anything after its object (a second object, or text after a CR-only line end), an input field given
/// twice, or an <c>id</c> of another kind fails with the reason rather than being scored on a guess. A UTF-8 byte order
/// mark before the object is ignored, as CSV ignores it before its header.
/// </summary>
public sealed class JsonlRowReader(RowLayout layout) : IRowReader
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public bool TryRead(ReadOnlySpan<byte> line, long row, RowBatch batch, out string? error)
    {
        if (line.StartsWith(ByteOrderMark))
        {
            line = line[ByteOrderMark.Length..];
        }
        try
        {
            return TryReadObject(line, batch, row, out error);
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return false;
        }
    }

    private bool TryReadObject(ReadOnlySpan<byte> line, RowBatch batch, long row, out string? error)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "a JSONL row must be a JSON object";
            return false;
        }
        var inputs = layout.Inputs;
        var seen = 0UL;
        var id = RowId.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < inputs.Count; i++)
            {
                if (reader.ValueTextEquals(inputs[i].Field))
                {
                    index = i;
                    break;
                }
            }
            var isId = index < 0 && reader.ValueTextEquals("id"u8);
            if (index >= 0 && inputs.Count <= 64 && (seen & (1UL << index)) != 0)
            {
                error = $"field '{Encoding.UTF8.GetString(inputs[index].Field)}' appears more than once";
                return false;
            }
            reader.Read();
            if (isId)
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.True or JsonTokenType.False)
                {
                    error = $"'id' must be a string or a number, not {Describe(ref reader)}";
                    return false;
                }
                id = reader.TokenType switch
                {
                    JsonTokenType.String => new RowId(reader.GetString(), false),
                    JsonTokenType.Number => new RowId(Encoding.UTF8.GetString(reader.ValueSpan), true),
                    _ => RowId.None, // null: the row has no id
                };
            }
            else if (index < 0)
            {
                reader.Skip();
            }
            else if (!TryReadValue(ref reader, inputs[index], batch, index, out error))
            {
                return false;
            }
            else
            {
                seen |= 1UL << Math.Min(index, 63);
            }
        }
        // The object is read; the reader throws for any value after it (Utf8JsonReader takes one root value).
        try
        {
            reader.Read();
        }
        catch (JsonException e)
        {
            error = $"a JSONL row must be exactly one JSON object, and this line has more after it: {e.Message}";
            return false;
        }
        for (var i = 0; i < inputs.Count; i++)
        {
            if ((seen & (1UL << Math.Min(i, 63))) == 0)
            {
                error = $"field '{Encoding.UTF8.GetString(inputs[i].Field)}' (input '{inputs[i].Name}') is missing";
                return false;
            }
        }
        batch.Add(row, id);
        error = null;
        return true;
    }

    /// <summary>A number or a flat or nested array of them; for a BYTES input, strings.</summary>
    private static bool TryReadValue(ref Utf8JsonReader reader, RowInput input, RowBatch batch, int index, out string? error)
    {
        if (input.DataType == TensorDataType.Bytes)
        {
            batch.BeginBytes(index);
        }
        var slot = input.DataType.HasFixedSize() ? batch.Slot(index) : [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (input.RowElements != 1)
            {
                error = $"input '{input.Name}' needs an array of {input.RowElements} values, got a {reader.TokenType}";
                return false;
            }
            return TryReadElement(ref reader, input, batch, index, slot, 0, out error);
        }
        var depth = reader.CurrentDepth;
        var count = 0;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray)
            {
                continue;
            }
            if (count >= input.RowElements)
            {
                error = $"input '{input.Name}' has more than the {input.RowElements} values a row needs";
                return false;
            }
            if (!TryReadElement(ref reader, input, batch, index, slot, count, out error))
            {
                return false;
            }
            count++;
        }
        if (count != input.RowElements)
        {
            error = $"input '{input.Name}' has {count} values, a row needs {input.RowElements}";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Element <paramref name="element"/> of the row: into its place in the slot, or appended for BYTES.</summary>
    private static bool TryReadElement(ref Utf8JsonReader reader, RowInput input, RowBatch batch, int index, Span<byte> slot, int element, out string? error)
    {
        if (input.DataType.HasFixedSize())
        {
            var size = slot.Length / input.RowElements;
            error = TensorElementCodec.For(input.DataType).TryReadJson(ref reader, slot.Slice(element * size, size))
                ? null
                : $"input '{input.Name}': value {element} ({Describe(ref reader)}) is not a valid {input.DataType}";
            return error is null;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            error = $"input '{input.Name}': value {element} ({Describe(ref reader)}) is not a string (the input is BYTES)";
            return false;
        }
        try
        {
            // Unescaped text is its bytes as they stand; an escaped string is decoded first.
            batch.AppendBytes(index, reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan);
            error = null;
            return true;
        }
        catch (InvalidOperationException e)
        {
            error = $"input '{input.Name}': value {element} is not a valid string: {e.Message}";
            return false;
        }
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String or JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };
}
