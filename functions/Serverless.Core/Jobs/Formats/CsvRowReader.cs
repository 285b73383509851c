using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// A CSV row: numeric columns feed the inputs as <see cref="RowLayout"/> maps them, a BYTES input takes each column's
/// text (quoting undone) as one element; an <c>id</c> column passes through.
/// </summary>
public sealed class CsvRowReader(RowLayout layout) : IRowReader
{
    public bool TryRead(ReadOnlySpan<byte> line, long row, RowBatch batch, out string? error)
    {
        var columns = layout.Columns;
        Span<Range> fields = columns.Length <= 256 ? stackalloc Range[columns.Length + 1] : new Range[columns.Length + 1];
        var count = CsvFields.Split(line, fields);
        if (count is CsvFields.UnterminatedQuote or CsvFields.StrayQuote)
        {
            error = CsvFields.Problem(count);
            return false;
        }
        if (count != columns.Length)
        {
            error = $"{(count == CsvFields.TooManyFields ? "more than " + columns.Length : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} fields, the header has {columns.Length}";
            return false;
        }
        var inputs = layout.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.DataType == TensorDataType.Bytes)
            {
                batch.BeginBytes(i);
                foreach (var column in input.Columns)
                {
                    batch.AppendBytes(i, CsvFields.Unquote(line[fields[column]]));
                }
                continue;
            }
            var slot = batch.Slot(i);
            var size = slot.Length / input.RowElements;
            var codec = TensorElementCodec.For(input.DataType);
            for (var e = 0; e < input.Columns.Length; e++)
            {
                var field = line[fields[input.Columns[e]]];
                if (!codec.TryParseText(field, slot.Slice(e * size, size)))
                {
                    error = $"column '{columns[input.Columns[e]]}': '{CsvFields.Text(field)}' is not a valid {input.DataType}";
                    return false;
                }
            }
        }
        var id = layout.IdColumn >= 0 ? new RowId(CsvFields.Text(line[fields[layout.IdColumn]]), false) : RowId.None;
        batch.Add(row, id);
        error = null;
        return true;
    }
}
