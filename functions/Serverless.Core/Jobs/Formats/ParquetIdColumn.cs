using Parquet;
using Parquet.Schema;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// The <c>id</c> column of a Parquet input's loaded row group, shared by the tensor and the text row sources: a string
/// column is read as is, a numeric one as whole numbers written as text (and marked numeric, so the output keeps it a number).
/// </summary>
internal sealed class ParquetIdColumn(DataField? field)
{
    private string?[]? _ids;
    private long[]? _numericIds;

    public async Task LoadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken)
    {
        (_ids, _numericIds) = (null, null);
        if (field is null)
        {
            return;
        }
        if (IsString(field))
        {
            _ids = new string?[rows];
            await group.ReadAsync(field, _ids.AsMemory(), cancellationToken: cancellationToken);
        }
        else
        {
            var ids = await ParquetRowSource.ReadNumbersAsync(group, field, rows, cancellationToken);
            _numericIds = ids.Values.Select(v => (long)v).ToArray();
        }
    }

    /// <summary>Row <paramref name="index"/>'s id; <see cref="RowId.None"/> without an id column.</summary>
    public RowId At(int index) =>
        _ids is not null ? new RowId(_ids[index], false)
        : _numericIds is not null ? new RowId(_numericIds[index].ToString(System.Globalization.CultureInfo.InvariantCulture), true)
        : RowId.None;

    public static bool IsString(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);
}
