using System.Buffers;

namespace Serverless.Tests.Fakes;

/// <summary>An array pool that counts the arrays rented and not yet returned.</summary>
internal sealed class CountingArrayPool : ArrayPool<byte>
{
    private int _rented;
    private int _outstanding;

    public int Rented => Volatile.Read(ref _rented);

    public int Outstanding => Volatile.Read(ref _outstanding);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        Interlocked.Increment(ref _outstanding);
        return new byte[minimumLength];
    }

    public override void Return(byte[] array, bool clearArray = false) => Interlocked.Decrement(ref _outstanding);
}
