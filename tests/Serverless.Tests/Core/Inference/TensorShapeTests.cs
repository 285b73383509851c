using Serverless.Core.Inference;

namespace Serverless.Tests.Core.Inference;

public sealed class TensorShapeTests
{
    [Theory]
    [InlineData(new long[0], 1L)]
    [InlineData(new long[] { 2, 3, 4 }, 24L)]
    [InlineData(new long[] { 4, 0, 5 }, 0L)]
    [InlineData(new long[] { 4, -1 }, -1L)]
    [InlineData(new long[] { 0, -1 }, -1L)]
    [InlineData(new long[] { 4_000_000_000, 4_000_000_000, 4_000_000_000 }, long.MaxValue)]
    [InlineData(new long[] { 4_000_000_000, 4_000_000_000, 4_000_000_000, 0 }, 0L)]
    public void ElementCount_AnyShape_CountsWithoutOverflowing(long[] shape, long expected)
    {
        Assert.Equal(expected, TensorShape.ElementCount(shape));
    }
}
