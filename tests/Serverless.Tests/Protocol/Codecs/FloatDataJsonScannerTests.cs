using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Tests.Protocol.Codecs;

public sealed class FloatDataJsonScannerTests
{
    /// <summary>Numbers in every shape JSON allows and clients write, the hard cases of decimal-to-binary rounding among them.</summary>
    private static IEnumerable<string> Numbers()
    {
        string[] edges =
        [
            "0", "-0", "0.0", "-0.0", "0e0", "1E+2", "1e-2", "1E2", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
            "2.2250738585072011e-308", "2.2250738585072014e-308", "1.7976931348623157e308", "1e-400", "-1e-400",
            "0.1000000000000000055511151231257827021181583404541015625", "123456789012345678901234567890",
            "9007199254740993", "0.30000001192092896", "3.4028234663852886e38", "3.4028235677973366e38", "65504", "65519.99",
            "6.103515625e-05", "5.960464477539063e-08", "1.00000000000000011102230246251565404236316680908203125",
        ];
        foreach (var edge in edges)
        {
            yield return edge;
        }
        var random = new Random(26);
        for (var i = 0; i < 3000; i++)
        {
            var value = random.Next(4) switch
            {
                0 => random.NextDouble() * Math.Pow(10, random.Next(-45, 45)),
                1 => (double)(float)(random.NextDouble() * 8 - 4),
                2 => Math.Round(random.NextDouble() * 100, random.Next(0, 15)),
                _ => BitConverter.Int64BitsToDouble(random.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF),
            };
            var format = random.Next(3) switch { 0 => "R", 1 => "E" + random.Next(1, 20), _ => "F" + random.Next(0, 12) };
            yield return (random.Next(2) == 0 ? -value : value).ToString(format, CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public void TryRead_PlainNumbers_SameBitsAsTheGeneralReader()
    {
        var numbers = Numbers().ToArray();

        AssertSameAsGeneralReader<FloatElement<double>, double>(numbers);
        AssertSameAsGeneralReader<FloatElement<float>, float>(numbers);
        AssertSameAsGeneralReader<FloatElement<Half>, Half>(numbers);
    }

    [Theory]
    [InlineData("[]", 0)]
    [InlineData(" [ ] ", 0)]
    [InlineData("[[]]", 0)]
    [InlineData("[1.5]", 1)]
    [InlineData(" [ [1, -2.5e3] ,\n\t[3,4]\r\n] ", 4)]
    [InlineData("[[[1],[2]],[[3],[4]]]", 4)]
    public void TryRead_ArraysOfNumbers_AreRead(string json, int count)
    {
        var elements = new double[count];

        Assert.True(FloatDataJsonScanner.TryRead<FloatElement<double>, double>(Encoding.UTF8.GetBytes(json), elements));
    }

    [Fact]
    public void TryRead_NestedArrays_FlattenRowMajor()
    {
        var elements = new float[4];

        Assert.True(FloatDataJsonScanner.TryRead<FloatElement<float>, float>("[[1,2],[3,-0]]"u8, elements));

        Assert.Equal([1f, 2f, 3f, -0f], elements);
        Assert.True(float.IsNegative(elements[3]));
    }

    [Theory]
    // Not JSON: the general reader refuses each with its own error.
    [InlineData("[1,]")]
    [InlineData("[,1]")]
    [InlineData("[1 2]")]
    [InlineData("[1,,2]")]
    [InlineData("[[1]2]")]
    [InlineData("[01]")]
    [InlineData("[1.]")]
    [InlineData("[.5]")]
    [InlineData("[+1]")]
    [InlineData("[1e]")]
    [InlineData("[1e+]")]
    [InlineData("[-]")]
    [InlineData("[0x10]")]
    [InlineData("[[1,2]")]
    [InlineData("[1]]")]
    [InlineData("[1] [2]")]
    [InlineData("[1")]
    [InlineData("]")]
    [InlineData("")]
    // JSON the quick path leaves to the general reader: special values, a bare scalar, other tokens, comments.
    [InlineData("[\"NaN\"]")]
    [InlineData("1")]
    [InlineData("[null]")]
    [InlineData("[true]")]
    [InlineData("[1/*one*/]")]
    [InlineData("[1\u00a0]")]
    // Out of range, and counts that do not match.
    [InlineData("[1e400]")]
    [InlineData("[1,2]")]
    [InlineData("[[1],[2],[3],[4]]")]
    public void TryRead_AnythingElse_LeftToTheGeneralReader(string json)
    {
        var elements = new double[json is "[1,2]" ? 3 : json is "[[1],[2],[3],[4]]" ? 3 : 1];

        Assert.False(FloatDataJsonScanner.TryRead<FloatElement<double>, double>(Encoding.UTF8.GetBytes(json), elements));
    }

    [Theory]
    [InlineData("[1e39]")]
    [InlineData("[-3.5e38]")]
    public void TryRead_BeyondTheNarrowerType_LeftToTheGeneralReader(string json)
    {
        Assert.False(FloatDataJsonScanner.TryRead<FloatElement<float>, float>(Encoding.UTF8.GetBytes(json), new float[1]));
        Assert.False(FloatDataJsonScanner.TryRead<FloatElement<Half>, Half>("[65520]"u8, new Half[1]));
    }

    [Fact]
    public void Read_MixedPlainAndSpecialValues_ReadByTheGeneralPath()
    {
        var data = TensorDataJsonReader.Read("[[0.5,\"Infinity\"],[\"NaN\",-1]]"u8, "x", TensorDataType.FP32, [2, 2]).ToArray();

        Assert.Equal([0.5f, float.PositiveInfinity, float.NaN, -1f], MemoryMarshal.Cast<byte, float>(data).ToArray());
    }

    /// <summary>
    /// The general reader's way, written out: the number as <see cref="Utf8JsonReader.TryGetDouble"/> reads it, then
    /// narrowed by the element type; the quick path must give the same bits or leave the number to it.
    /// </summary>
    private static void AssertSameAsGeneralReader<TElement, T>(string[] numbers)
        where TElement : ITensorElement<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = new List<T>();
        var accepted = new List<string>();
        foreach (var number in numbers)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(number));
            reader.Read();
            if (reader.TryGetDouble(out var value) && double.IsFinite(value) && TElement.TryConvert(value, out var element))
            {
                expected.Add(element);
                accepted.Add(number);
            }
            else
            {
                Assert.False(FloatDataJsonScanner.TryRead<TElement, T>(Encoding.UTF8.GetBytes($"[{number}]"), new T[1]), number);
            }
        }
        var elements = new T[expected.Count];

        Assert.True(FloatDataJsonScanner.TryRead<TElement, T>(Encoding.UTF8.GetBytes("[" + string.Join(",", accepted) + "]"), elements));

        for (var i = 0; i < elements.Length; i++)
        {
            // Bits, not values: -0 must stay -0.
            var same = MemoryMarshal.AsBytes(elements.AsSpan(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(expected).Slice(i, 1)));
            Assert.True(same, $"{typeof(T).Name} {accepted[i]}: {elements[i]} against {expected[i]}");
        }
        // Enough of each kind got through for the comparison to mean something.
        Assert.True(accepted.Count > numbers.Length / 3, $"{typeof(T).Name}: {accepted.Count} of {numbers.Length}");
    }
}
