namespace Serverless.Core.Jobs.Formats;

/// <summary>Decodes one input line into the next slot of a <see cref="RowBatch"/>.</summary>
public interface IRowReader
{
    /// <summary>False with a reason when the row cannot be scored; the batch is left unchanged then.</summary>
    bool TryRead(ReadOnlySpan<byte> line, long row, RowBatch batch, out string? error);
}
