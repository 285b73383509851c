using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Up to <see cref="Capacity"/> decoded rows, laid out as the model's input tensors (row-major, one buffer per input)
/// so a whole batch goes to ONNX Runtime without another copy. Buffers are reused from batch to batch.
/// </summary>
public sealed class RowBatch
{
    private readonly RowLayout _layout;
    private readonly byte[][] _buffers;

    public RowBatch(RowLayout layout)
    {
        _layout = layout;
        Capacity = layout.BatchSize;
        _buffers = layout.Inputs.Select(i => new byte[Capacity * i.RowBytes]).ToArray();
        Rows = new long[Capacity];
        Ids = new RowId[Capacity];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Row numbers within the shard.</summary>
    public long[] Rows { get; }

    public RowId[] Ids { get; }

    /// <summary>Where the row being decoded writes input <paramref name="input"/>; it counts only once <see cref="Add"/> is called.</summary>
    public Span<byte> Slot(int input) => _buffers[input].AsSpan(Count * _layout.Inputs[input].RowBytes, _layout.Inputs[input].RowBytes);

    public void Add(long row, RowId id)
    {
        Rows[Count] = row;
        Ids[Count] = id;
        Count++;
    }

    public void Clear() => Count = 0;

    /// <summary>The model inputs for rows [first, first + count).</summary>
    public InferenceTensor[] Tensors(int first, int count)
    {
        var tensors = new InferenceTensor[_layout.Inputs.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            var input = _layout.Inputs[i];
            long[] shape = [count, .. input.RowShape];
            tensors[i] = new InferenceTensor(input.Name, input.DataType, shape, _buffers[i].AsMemory(first * input.RowBytes, count * input.RowBytes));
        }
        return tensors;
    }
}
