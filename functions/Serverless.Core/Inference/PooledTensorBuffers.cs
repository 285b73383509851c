using System.Buffers;

namespace Serverless.Core.Inference;

/// <summary>
/// Arrays rented from <see cref="ArrayPool{T}"/> for one request's tensors (decoded inputs, copied outputs), returned
/// together once the last owner is done: a batch's outputs are shared by every request that rode in it. Not disposing
/// is safe (the arrays are then garbage collected); disposing while a tensor is still read is not.
/// </summary>
/// <param name="pool">Where the arrays come from and go back to; <see cref="ArrayPool{T}.Shared"/> unless a test counts them.</param>
public sealed class PooledTensorBuffers(ArrayPool<byte>? pool = null) : IDisposable
{
    private readonly ArrayPool<byte> _pool = pool ?? ArrayPool<byte>.Shared;
    private readonly List<byte[]> _arrays = new(2);
    private int _owners = 1;

    /// <summary>A buffer of exactly <paramref name="length"/> bytes; not thread-safe (one request fills it).</summary>
    public Memory<byte> Rent(int length)
    {
        if (length == 0)
        {
            return Memory<byte>.Empty;
        }
        var array = _pool.Rent(length);
        _arrays.Add(array);
        return array.AsMemory(0, length);
    }

    /// <summary>Adds owners, each of which disposes once.</summary>
    public void AddOwners(int count) => Interlocked.Add(ref _owners, count);

    public void Dispose()
    {
        if (Interlocked.Decrement(ref _owners) != 0)
        {
            return;
        }
        foreach (var array in _arrays)
        {
            _pool.Return(array);
        }
        _arrays.Clear();
    }
}
