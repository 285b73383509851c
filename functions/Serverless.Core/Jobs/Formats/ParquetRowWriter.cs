using System.Buffers;
using System.Runtime.InteropServices;
using Parquet;
using Parquet.Schema;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Parquet output: <c>row</c> (int64), <c>id</c> (string, when the input has one) and one column per output value,
/// typed like the output. Each input row group becomes one output row group. Parquet needs a seekable stream, so the
/// part is built in a temporary file and copied to the part writer (which commits it atomically) when complete.
/// </summary>
public sealed class ParquetRowWriter : IRowWriter, IAsyncDisposable
{
    private readonly RowLayout _layout;
    private readonly IReadOnlyList<(int Output, int Element, string Name)> _columns;
    private readonly ParquetSchema _schema;
    private readonly string _temporary = Path.Combine(Path.GetTempPath(), $"serverless-part-{Guid.NewGuid():N}.parquet");
    private readonly FileStream _file;
    private readonly List<long> _rows = [];
    private readonly List<string?> _ids = [];
    private readonly ArrayBufferWriter<byte>[] _values;
    private ParquetWriter? _writer;

    public ParquetRowWriter(RowLayout layout)
    {
        if (layout.Outputs.FirstOrDefault(o => o.DataType == TensorDataType.Bytes) is { } text)
        {
            throw new InvalidJobException($"output '{text.Name}' is BYTES (strings), which Parquet jobs do not write; use jsonl or csv");
        }
        _layout = layout;
        _columns = layout.OutputColumns();
        var fields = new List<Field> { new DataField<long>("row") };
        if (layout.IdColumn >= 0)
        {
            fields.Add(new DataField<string>(RowLayout.IdField, true));
        }
        fields.AddRange(_columns.Select(c => new DataField(c.Name, ColumnType.Of(layout.Outputs[c.Output].DataType), false)));
        _schema = new ParquetSchema(fields);
        _values = layout.Outputs.Select(_ => new ArrayBufferWriter<byte>()).ToArray();
        _file = new FileStream(_temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    public void WriteHeader(IBufferWriter<byte> output)
    {
    }

    public void WriteRows(RowBatch batch, int first, int count, IReadOnlyList<InferenceTensor> outputs, IBufferWriter<byte> output)
    {
        for (var r = 0; r < count; r++)
        {
            _rows.Add(batch.Rows[first + r]);
            _ids.Add(batch.Ids[first + r].Value);
        }
        for (var o = 0; o < outputs.Count; o++)
        {
            _values[o].Write(outputs[o].Data.Span);
        }
    }

    /// <summary>Writes the rows gathered since the last call as one row group.</summary>
    public async Task EndRowGroupAsync(CancellationToken cancellationToken)
    {
        _writer ??= await ParquetWriter.CreateAsync(_schema, _file, cancellationToken: cancellationToken);
        var fields = _schema.GetDataFields();
        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync<long>(fields[0], _rows.ToArray(), cancellationToken: cancellationToken);
            var next = 1;
            if (_layout.IdColumn >= 0)
            {
                await group.WriteAsync(fields[next++], _ids);
            }
            foreach (var (output, element, _) in _columns)
            {
                var type = _layout.Outputs[output].DataType;
                var data = _values[output].WrittenMemory;
                var perRow = _rows.Count == 0 ? 0 : data.Length / type.ElementSize() / _rows.Count;
                var column = new ColumnWrite(group, fields[next++], data, perRow, element, cancellationToken);
                await type.Visit<ColumnWrite, Task>(ref column);
            }
        }
        _rows.Clear();
        _ids.Clear();
        foreach (var values in _values)
        {
            values.ResetWrittenCount();
        }
    }

    /// <summary>Finishes the file and hands it to <paramref name="part"/>; commit the part afterwards.</summary>
    public async Task CopyToAsync(IPartWriter part, CancellationToken cancellationToken)
    {
        if (_writer is null || _rows.Count > 0)
        {
            await EndRowGroupAsync(cancellationToken);
        }
        await _writer!.DisposeAsync();
        _writer = null;
        _file.Position = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = await _file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await part.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
        await _file.DisposeAsync();
    }

    /// <summary>Parquet.Net has no 16-bit float column: FP16 outputs are written widened to FP32 columns.</summary>
    private static bool WidenedToFloat<T>() => typeof(T) == typeof(Half);

    /// <summary>The column type an output's values are written as: the element type, but for FP16.</summary>
    private readonly struct ColumnType : ITensorElementVisitor<Type>
    {
        public static Type Of(TensorDataType type)
        {
            var visitor = new ColumnType();
            return type.Visit<ColumnType, Type>(ref visitor);
        }

        public Type Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged =>
            WidenedToFloat<T>() ? typeof(float) : typeof(T);

        public Type VisitBytes() => throw new InvalidOperationException("BYTES outputs are refused when the writer is made");
    }

    /// <summary>Element <c>element</c> of every row: one column out of the row-major output values.</summary>
    private readonly struct ColumnWrite(ParquetRowGroupWriter group, DataField field, ReadOnlyMemory<byte> data, int perRow, int element, CancellationToken cancellationToken)
        : ITensorElementVisitor<Task>
    {
        public Task Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged
        {
            var values = MemoryMarshal.Cast<byte, T>(data.Span);
            var column = new T[perRow == 0 ? 0 : values.Length / perRow];
            for (var r = 0; r < column.Length; r++)
            {
                column[r] = values[r * perRow + element];
            }
            return WidenedToFloat<T>()
                ? group.WriteAsync<float>(field, Array.ConvertAll((Half[])(object)column, h => (float)h), cancellationToken: cancellationToken)
                : group.WriteAsync<T>(field, column, cancellationToken: cancellationToken);
        }

        public Task VisitBytes() => throw new InvalidOperationException("BYTES outputs are refused when the writer is made");
    }
}
