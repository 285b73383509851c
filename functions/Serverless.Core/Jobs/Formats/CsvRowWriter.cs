using System.Buffers;
using System.Text;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// <c>row,id,probabilities_0,probabilities_1,probabilities_2,label</c>: one column per output value, an output with
/// several values per row spread over <c>name_0..name_n</c>. Every part starts with the header.
/// </summary>
public sealed class CsvRowWriter : IRowWriter
{
    private readonly byte[] _header;
    private readonly bool _withId;

    public CsvRowWriter(RowLayout layout)
    {
        _withId = layout.IdColumn >= 0;
        var columns = new List<string> { "row" };
        if (_withId)
        {
            columns.Add(RowLayout.IdField);
        }
        columns.AddRange(layout.OutputColumns().Select(c => c.Name));
        _header = Encoding.UTF8.GetBytes(string.Join(",", columns.Select(CsvFields.Quote)) + "\n");
    }

    public void WriteHeader(IBufferWriter<byte> output) => output.Write(_header);

    public void WriteRows(RowBatch batch, int first, int count, IReadOnlyList<InferenceTensor> outputs, IBufferWriter<byte> output)
    {
        var offsets = new int[outputs.Count];
        for (var r = 0; r < count; r++)
        {
            var span = output.GetSpan(64);
            batch.Rows[first + r].TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            output.Advance(written);
            if (_withId)
            {
                output.Write(","u8);
                output.Write(Encoding.UTF8.GetBytes(CsvFields.Quote(batch.Ids[first + r].Value ?? "")));
            }
            for (var o = 0; o < outputs.Count; o++)
            {
                var tensor = outputs[o];
                if (!tensor.DataType.HasFixedSize())
                {
                    // BYTES: each element is one column's text, quoted when it needs it; rows differ in length.
                    var rest = tensor.Data.Span[offsets[o]..];
                    var row = rest[..BytesTensor.Offset(rest, tensor.ElementCount / count)];
                    offsets[o] += row.Length;
                    foreach (var element in BytesTensor.Elements(row))
                    {
                        output.Write(","u8);
                        CsvFields.WriteQuoted(output, element);
                    }
                    continue;
                }
                var codec = TensorElementCodec.For(tensor.DataType);
                var perRow = tensor.Data.Length / codec.ElementSize / count;
                var data = tensor.Data.Span;
                for (var e = 0; e < perRow; e++)
                {
                    span = output.GetSpan(40);
                    span[0] = (byte)',';
                    written = codec.FormatText(data, r * perRow + e, span[1..]);
                    output.Advance(written + 1);
                }
            }
            output.Write("\n"u8);
        }
    }
}
