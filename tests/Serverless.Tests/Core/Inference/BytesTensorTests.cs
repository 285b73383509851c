using System.Text;
using Serverless.Core.Inference;

namespace Serverless.Tests.Core.Inference;

public sealed class BytesTensorTests
{
    [Fact]
    public void IndexOfInvalidUtf8_AllElementsText_MinusOne()
    {
        Assert.Equal(-1, BytesTensor.IndexOfInvalidUtf8(Elements("a\0b", "", "naïve ☃")));
        Assert.Equal(-1, BytesTensor.IndexOfInvalidUtf8([]));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, 1)]
    [InlineData(new byte[] { 0xE2, 0x98 }, 1)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 1)]
    public void IndexOfInvalidUtf8_ElementNotUtf8_ItsIndex(byte[] bad, long expected)
    {
        byte[] data = [.. Elements("ok"), .. BitConverter.GetBytes(bad.Length), .. bad, .. Elements("\uFFFD")];

        Assert.Equal(expected, BytesTensor.IndexOfInvalidUtf8(data));
    }

    [Fact]
    public void Elements_WellFormedData_EachElementInOrder()
    {
        var elements = new List<string>();
        foreach (var element in BytesTensor.Elements(Elements("x", "", "yz")))
        {
            elements.Add(Encoding.UTF8.GetString(element));
        }

        Assert.Equal(["x", "", "yz"], elements);
        Assert.Equal(3, BytesTensor.CountElements(Elements("x", "", "yz")));
        Assert.Equal(-1, BytesTensor.CountElements([.. Elements("x"), 9, 0, 0, 0, 1]));
    }

    /// <summary>BYTES elements as the core carries them: a 4-byte little-endian length, then the UTF-8 bytes.</summary>
    internal static byte[] Elements(params string[] values) =>
        values.SelectMany(v => BitConverter.GetBytes(Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v))).ToArray();
}
