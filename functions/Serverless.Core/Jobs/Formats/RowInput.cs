using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// One model input as rows feed it: the JSONL field or the CSV columns it is read from, and its per-row shape
/// (the model's shape without the batch dimension).
/// </summary>
public sealed record RowInput(string Name, TensorDataType DataType, long[] RowShape, int RowElements, byte[] Field, int[] Columns)
{
    /// <summary>Bytes per row; BYTES rows have no fixed size (<see cref="RowBatch.AppendBytes"/>).</summary>
    public int RowBytes => DataType.HasFixedSize() ? RowElements * DataType.ElementSize() : 0;
}
