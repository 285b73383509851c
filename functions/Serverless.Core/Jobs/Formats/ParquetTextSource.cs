using Parquet;
using Parquet.Schema;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Rows of a Parquet input for an embeddings job (<see cref="EmbeddingRowLayout"/>), one row group at a time: the text
/// column (a string column; a null is a bad row) and the <c>id</c> column. Memory is bounded by a row group.
/// </summary>
public sealed class ParquetTextSource : IRowSource
{
    private readonly ParquetReader _reader;
    private readonly DataField _text;
    private readonly ParquetIdColumn _ids;
    private string?[] _texts = [];

    public ParquetTextSource(ParquetReader reader, RowLayout layout)
    {
        var fields = reader.Schema.GetDataFields();
        _text = fields[layout.Inputs[0].Columns[0]];
        if (_text.IsArray || !ParquetIdColumn.IsString(_text))
        {
            throw new InvalidJobException($"column '{_text.Name}' is {(_text.IsArray ? "a list" : _text.ClrType.Name)}; an embeddings job reads its text from a string column");
        }
        _ids = new ParquetIdColumn(layout.IdColumn >= 0 ? fields[layout.IdColumn] : null);
        _reader = reader;
    }

    public int RowCount { get; private set; }

    public async Task LoadAsync(int rowGroup, CancellationToken cancellationToken)
    {
        var group = _reader.OpenRowGroupReader(rowGroup);
        RowCount = checked((int)group.RowCount);
        _texts = new string?[RowCount];
        await group.ReadAsync(_text, _texts.AsMemory(), cancellationToken: cancellationToken);
        await _ids.LoadAsync(group, RowCount, cancellationToken);
    }

    public bool TryRead(int index, long row, RowBatch batch, out string? error)
    {
        if (_texts[index] is not { } text)
        {
            error = $"column '{_text.Name}' is null";
            return false;
        }
        batch.BeginBytes(0);
        batch.AppendBytes(0, System.Text.Encoding.UTF8.GetBytes(text));
        batch.Add(row, _ids.At(index));
        error = null;
        return true;
    }
}
