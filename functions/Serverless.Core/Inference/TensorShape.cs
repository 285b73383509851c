namespace Serverless.Core.Inference;

/// <summary>Shape arithmetic shared by the codecs and the inference path.</summary>
public static class TensorShape
{
    /// <summary>Number of elements of a concrete shape; a rank-0 shape holds one element.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }
            count = checked(count * dim);
        }
        return count;
    }

    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
