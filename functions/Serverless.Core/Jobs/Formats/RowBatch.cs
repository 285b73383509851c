using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// Up to <see cref="Capacity"/> decoded rows, laid out as the model's input tensors (row-major, one buffer per input)
/// so a whole batch goes to ONNX Runtime without another copy. Buffers are reused from batch to batch. A BYTES input's
/// rows differ in length: its elements are appended (<see cref="AppendBytes"/>) and each row's start is remembered.
/// </summary>
public sealed class RowBatch
{
    private readonly RowLayout _layout;
    private readonly byte[][] _buffers;
    // BYTES inputs only: how much of the buffer is written, and where each row starts (row Count: the one being decoded).
    private readonly int[] _written;
    private readonly int[]?[] _rowStarts;

    public RowBatch(RowLayout layout)
    {
        _layout = layout;
        Capacity = layout.BatchSize;
        _buffers = layout.Inputs.Select(i => new byte[i.DataType.HasFixedSize() ? Capacity * i.RowBytes : 0]).ToArray();
        _written = new int[layout.Inputs.Count];
        _rowStarts = layout.Inputs.Select(i => i.DataType.HasFixedSize() ? null : new int[Capacity + 1]).ToArray();
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

    /// <summary>Starts (or restarts) the row being decoded for BYTES input <paramref name="input"/>, dropping what a failed attempt wrote.</summary>
    public void BeginBytes(int input) => _written[input] = _rowStarts[input]![Count];

    /// <summary>Appends one element of the row being decoded to BYTES input <paramref name="input"/>.</summary>
    public void AppendBytes(int input, ReadOnlySpan<byte> element)
    {
        var needed = _written[input] + BytesTensor.LengthPrefix + element.Length;
        if (needed > _buffers[input].Length)
        {
            Array.Resize(ref _buffers[input], Math.Max(needed, _buffers[input].Length * 2));
        }
        _written[input] += BytesTensor.Write(_buffers[input].AsSpan(_written[input]), element);
    }

    public void Add(long row, RowId id)
    {
        Rows[Count] = row;
        Ids[Count] = id;
        Count++;
        for (var i = 0; i < _rowStarts.Length; i++)
        {
            if (_rowStarts[i] is { } starts)
            {
                starts[Count] = _written[i];
            }
        }
    }

    /// <summary>Takes back the row added last: one its model refuses before any run (<see cref="ShardRun"/>).</summary>
    public void RemoveLast()
    {
        Count--;
        for (var i = 0; i < _rowStarts.Length; i++)
        {
            if (_rowStarts[i] is { } starts)
            {
                _written[i] = starts[Count];
            }
        }
    }

    public void Clear()
    {
        Count = 0;
        Array.Clear(_written);
    }

    /// <summary>The model inputs for rows [first, first + count).</summary>
    public InferenceTensor[] Tensors(int first, int count)
    {
        var tensors = new InferenceTensor[_layout.Inputs.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            var input = _layout.Inputs[i];
            long[] shape = [count, .. input.RowShape];
            var data = _rowStarts[i] is { } starts
                ? _buffers[i].AsMemory(starts[first], starts[first + count] - starts[first])
                : _buffers[i].AsMemory(first * input.RowBytes, count * input.RowBytes);
            tensors[i] = new InferenceTensor(input.Name, input.DataType, shape, data);
        }
        return tensors;
    }
}
