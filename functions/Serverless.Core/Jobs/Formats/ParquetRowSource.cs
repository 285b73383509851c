using Parquet;
using Parquet.Schema;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Rows of a Parquet input, one row group at a time: the columns that feed the model (any numeric or boolean type,
/// read as double and checked against the input's datatype) and the <c>id</c> column. Memory is bounded by a row group.
/// </summary>
public sealed class ParquetRowSource : IRowSource
{
    private readonly ParquetReader _reader;
    private readonly RowLayout _layout;
    private readonly DataField[] _fields;
    private readonly Dictionary<int, Column> _columns = [];
    private readonly ParquetIdColumn _ids;

    public ParquetRowSource(ParquetReader reader, RowLayout layout)
    {
        if (layout.Inputs.FirstOrDefault(i => i.DataType == TensorDataType.Bytes) is { } text)
        {
            throw new InvalidJobException($"input '{text.Name}' is BYTES (strings), which Parquet jobs do not read; use jsonl or csv");
        }
        _reader = reader;
        _layout = layout;
        _fields = reader.Schema.GetDataFields();
        _ids = new ParquetIdColumn(layout.IdColumn >= 0 ? _fields[layout.IdColumn] : null);
    }

    /// <summary>Column names of a Parquet schema, as <see cref="RowLayout"/> maps them.</summary>
    public static string[] ColumnsOf(ParquetReader reader) => reader.Schema.GetDataFields().Select(f => f.Name).ToArray();

    public int RowCount { get; private set; }

    public async Task LoadAsync(int rowGroup, CancellationToken cancellationToken)
    {
        var group = _reader.OpenRowGroupReader(rowGroup);
        RowCount = checked((int)group.RowCount);
        _columns.Clear();
        foreach (var index in _layout.Inputs.SelectMany(i => i.Columns).Distinct())
        {
            _columns[index] = await ReadNumbersAsync(group, _fields[index], RowCount, cancellationToken);
        }
        await _ids.LoadAsync(group, RowCount, cancellationToken);
    }

    /// <summary>Row <paramref name="index"/> of the loaded row group into the next batch slot.</summary>
    public bool TryRead(int index, long row, RowBatch batch, out string? error)
    {
        var inputs = _layout.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var slot = batch.Slot(i);
            var codec = TensorElementCodec.For(input.DataType);
            var size = codec.ElementSize;
            for (var e = 0; e < input.Columns.Length; e++)
            {
                var column = _columns[input.Columns[e]];
                if (column.Nulls is { } nulls && nulls[index])
                {
                    error = $"column '{_fields[input.Columns[e]].Name}' is null";
                    return false;
                }
                if (!codec.TryConvert(column.Values[index], slot.Slice(e * size, size)))
                {
                    error = $"column '{_fields[input.Columns[e]].Name}': {column.Values[index]} is not a valid {input.DataType}";
                    return false;
                }
            }
        }
        batch.Add(row, _ids.At(index));
        error = null;
        return true;
    }

    internal static Task<Column> ReadNumbersAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
    {
        if (field.IsArray)
        {
            throw new InvalidJobException($"column '{field.Name}' holds arrays; batch scoring reads one number per column and row");
        }
        var type = field.ClrType;
        return type == typeof(float) ? ReadAsync<float>(group, field, rows, v => v, cancellationToken)
            : type == typeof(double) ? ReadAsync<double>(group, field, rows, v => v, cancellationToken)
            : type == typeof(int) ? ReadAsync<int>(group, field, rows, v => v, cancellationToken)
            : type == typeof(long) ? ReadAsync<long>(group, field, rows, v => v, cancellationToken)
            : type == typeof(short) ? ReadAsync<short>(group, field, rows, v => v, cancellationToken)
            : type == typeof(sbyte) ? ReadAsync<sbyte>(group, field, rows, v => v, cancellationToken)
            : type == typeof(byte) ? ReadAsync<byte>(group, field, rows, v => v, cancellationToken)
            : type == typeof(ushort) ? ReadAsync<ushort>(group, field, rows, v => v, cancellationToken)
            : type == typeof(uint) ? ReadAsync<uint>(group, field, rows, v => v, cancellationToken)
            : type == typeof(ulong) ? ReadAsync<ulong>(group, field, rows, v => v, cancellationToken)
            : type == typeof(bool) ? ReadAsync<bool>(group, field, rows, v => v ? 1 : 0, cancellationToken)
            : throw new InvalidJobException($"column '{field.Name}' is {type.Name}; batch scoring reads numeric and boolean columns");
    }

    private static async Task<Column> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, double> toDouble, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new double[rows];
        if (!field.IsNullable)
        {
            var typed = new T[rows];
            await group.ReadAsync<T>(field, typed.AsMemory(), cancellationToken: cancellationToken);
            for (var r = 0; r < rows; r++)
            {
                values[r] = toDouble(typed[r]);
            }
            return new Column(values, null);
        }
        var nullable = new T?[rows];
        await group.ReadAsync<T>(field, nullable.AsMemory(), cancellationToken: cancellationToken);
        var nulls = new bool[rows];
        for (var r = 0; r < rows; r++)
        {
            nulls[r] = nullable[r] is null;
            values[r] = nullable[r] is { } value ? toDouble(value) : 0;
        }
        return new Column(values, nulls);
    }

    /// <summary>One column of the loaded row group as doubles, with its nulls when it may have any.</summary>
    internal sealed record Column(double[] Values, bool[]? Nulls);
}
