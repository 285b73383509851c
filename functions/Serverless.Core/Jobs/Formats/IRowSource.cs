namespace Serverless.Core.Jobs.Formats;

/// <summary>Rows of a columnar input (Parquet), one row group at a time, decoded into the next slot of a <see cref="RowBatch"/>.</summary>
public interface IRowSource
{
    /// <summary>Rows in the loaded row group.</summary>
    int RowCount { get; }

    Task LoadAsync(int rowGroup, CancellationToken cancellationToken);

    /// <summary>Row <paramref name="index"/> of the loaded row group; false with a reason when it cannot be scored (the batch is left unchanged then).</summary>
    bool TryRead(int index, long row, RowBatch batch, out string? error);
}
