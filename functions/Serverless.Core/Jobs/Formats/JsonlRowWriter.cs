using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// <c>{"row": 12, "id": "a-12", "probabilities": [0.1, 0.7, 0.2], "label": 1}</c>: an output that holds one value per
/// row is written as that value, any other as a flat array; BYTES values are JSON strings.
/// </summary>
public sealed class JsonlRowWriter : IRowWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private readonly JsonEncodedText[] _names;
    private readonly bool[] _scalar;
    private readonly Utf8JsonWriter _writer = new(Stream.Null, Options);

    public JsonlRowWriter(RowLayout layout)
    {
        _names = layout.Outputs.Select(o => JsonEncodedText.Encode(o.Name, Options.Encoder)).ToArray();
        _scalar = layout.Outputs.Select(o => o.Shape.Length <= 1).ToArray();
    }

    public void WriteHeader(IBufferWriter<byte> output)
    {
    }

    public void WriteRows(RowBatch batch, int first, int count, IReadOnlyList<InferenceTensor> outputs, IBufferWriter<byte> output)
    {
        var writer = _writer;
        // BYTES outputs: where the next row's elements start (their rows differ in length).
        var offsets = new int[outputs.Count];
        for (var r = 0; r < count; r++)
        {
            writer.Reset(output);
            writer.WriteStartObject();
            writer.WriteNumber("row"u8, batch.Rows[first + r]);
            var id = batch.Ids[first + r];
            if (id.Value is not null)
            {
                writer.WritePropertyName("id"u8);
                if (id.IsNumber)
                {
                    writer.WriteRawValue(id.Value, skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(id.Value);
                }
            }
            for (var o = 0; o < outputs.Count; o++)
            {
                var tensor = outputs[o];
                var perRow = tensor.ElementCount / count;
                ReadOnlySpan<byte> data;
                if (tensor.DataType.HasFixedSize())
                {
                    var rowBytes = tensor.Data.Length / count;
                    data = tensor.Data.Span.Slice(r * rowBytes, rowBytes);
                }
                else
                {
                    var rest = tensor.Data.Span[offsets[o]..];
                    data = rest[..BytesTensor.Offset(rest, perRow)];
                    offsets[o] += data.Length;
                }
                writer.WritePropertyName(_names[o]);
                // BYTES outputs are JSON strings: the scorer has checked they are UTF-8 (a row whose output is not fails with that reason).
                var codec = TensorElementCodec.For(tensor.DataType);
                if (_scalar[o] && perRow == 1)
                {
                    codec.WriteJson(writer, data);
                }
                else
                {
                    writer.WriteStartArray();
                    codec.WriteJson(writer, data);
                    writer.WriteEndArray();
                }
            }
            writer.WriteEndObject();
            writer.Flush();
            output.Write("\n"u8);
        }
    }
}
