namespace Serverless.Core.Inference;

/// <summary>Shape arithmetic shared by the codecs and the inference path.</summary>
public static class TensorShape
{
    /// <summary>
    /// Number of elements of a concrete shape; a rank-0 shape holds one element, -1 means a negative dimension. A count
    /// beyond <see cref="long.MaxValue"/> (shape [4000000000, 4000000000, ...] from a request) is
    /// <see cref="long.MaxValue"/>: callers already refuse counts too large for a buffer, and an overflow exception
    /// here reached clients as a 500.
    /// </summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        if (shape.IndexOfAnyInRange(long.MinValue, 0) is var i and >= 0)
        {
            // A zero dimension makes the tensor empty, however large the others are.
            return shape[i] < 0 || shape.IndexOfAnyInRange(long.MinValue, -1) >= 0 ? -1 : 0;
        }
        long count = 1;
        foreach (var dim in shape)
        {
            if (count > long.MaxValue / dim)
            {
                return long.MaxValue;
            }
            count *= dim;
        }
        return count;
    }

    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
