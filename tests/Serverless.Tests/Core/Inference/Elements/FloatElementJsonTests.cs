using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serverless.Core.Inference.Elements;

namespace Serverless.Tests.Core.Inference.Elements;

public sealed class FloatElementJsonTests
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
    public void TryReadJson_EveryNumber_SameBitsAsTheRuntimesParser()
    {
        var numbers = Numbers().ToArray();

        AssertSameAsRuntime<FloatElement<double>, double>(numbers);
        AssertSameAsRuntime<FloatElement<float>, float>(numbers);
        AssertSameAsRuntime<FloatElement<Half>, Half>(numbers);
    }

    [Fact]
    public void TryParseText_EveryNumberAndNearMiss_SameAnswerAsTheRuntimesParser()
    {
        // CSV fields: the numbers above, and short strings of the characters numbers are made of, which the runtime
        // takes or refuses by its own rules ("+.5", "5.", "1e", "--1", "e5").
        var random = new Random(27);
        const string alphabet = "0123456789+-.eE";
        var texts = Numbers().Concat(Enumerable.Range(0, 20_000).Select(_ =>
            new string(Enumerable.Range(0, random.Next(1, 8)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray())))
            .Concat(["NaN", "Infinity", "-Infinity", "nan", "inf", "+Infinity", "1e400", "-1e400", "1\n", "0x10", "1_0", "\u0661"]);

        foreach (var text in texts)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var expectedOk = double.TryParse(bytes, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && (double.IsFinite(number) || text is "NaN" or "Infinity" or "-Infinity");

            var ok = FloatElement<double>.TryParseText(bytes, out var value);

            Assert.True(ok == expectedOk, $"{text}: read {ok}, runtime {expectedOk}");
            Assert.True(!ok || BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(number), $"{text}: {value} against {number}");
        }
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-3.5e38")]
    [InlineData("1e400")]
    public void TryReadJson_BeyondTheType_Refused(string number)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(number));
        reader.Read();

        Assert.False(FloatElement<float>.TryReadJson(ref reader, out _));
    }

    [Fact]
    public void TryReadJson_NumberSplitAcrossSegments_ReadAsWhole()
    {
        // A body that arrived in pieces: the token is a sequence, not one span.
        var first = new Segment("[0.1234"u8.ToArray());
        var last = first.Append("5678]"u8.ToArray());
        var reader = new Utf8JsonReader(new System.Buffers.ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
        reader.Read();
        reader.Read();

        Assert.True(reader.HasValueSequence);
        Assert.True(FloatElement<double>.TryReadJson(ref reader, out var value));
        Assert.Equal(0.12345678, value);
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    /// <summary>
    /// The runtime's way, written out: the number as <see cref="Utf8JsonReader.TryGetDouble"/> reads it, then narrowed
    /// by the element type. The element's own reading must give the same bits, and refuse the same numbers.
    /// </summary>
    private static void AssertSameAsRuntime<TElement, T>(string[] numbers)
        where TElement : ITensorElement<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var accepted = 0;
        foreach (var number in numbers)
        {
            var text = Encoding.UTF8.GetBytes(number);
            var reference = new Utf8JsonReader(text);
            reference.Read();
            var expected = default(T);
            var expectedOk = reference.TryGetDouble(out var value) && double.IsFinite(value) && TElement.TryConvert(value, out expected);
            var reader = new Utf8JsonReader(text);
            reader.Read();

            var ok = TElement.TryReadJson(ref reader, out var element);

            Assert.True(ok == expectedOk, $"{typeof(T).Name} {number}: read {ok}, runtime {expectedOk}");
            // Bits, not values: -0 must stay -0.
            Assert.True(!ok || MemoryMarshal.AsBytes(new[] { element }.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(new[] { expected }.AsSpan())),
                $"{typeof(T).Name} {number}: {element} against {expected}");
            accepted += ok ? 1 : 0;
        }
        // Enough of each kind got through for the comparison to mean something.
        Assert.True(accepted > numbers.Length / 3, $"{typeof(T).Name}: {accepted} of {numbers.Length}");
    }
}
