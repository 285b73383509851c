using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Tests.Protocol.Codecs;

public sealed class TensorDataJsonReaderTests
{
    private static byte[] Read(string json, TensorDataType type, params long[] shape) =>
        TensorDataJsonReader.Read(Encoding.UTF8.GetBytes(json), "x", type, shape).ToArray();

    public static TheoryData<TensorDataType, string, byte[]> EveryDatatype() => new()
    {
        { TensorDataType.Bool, "[true,false,1]", [1, 0, 1] },
        { TensorDataType.UInt8, "[0,255,7]", [0, 255, 7] },
        { TensorDataType.Int8, "[-128,127,0]", Bytes<sbyte>(-128, 127, 0) },
        { TensorDataType.UInt16, "[0,65535,3]", Bytes<ushort>(0, 65535, 3) },
        { TensorDataType.Int16, "[-32768,32767,-1]", Bytes<short>(-32768, 32767, -1) },
        { TensorDataType.UInt32, "[0,4294967295,5]", Bytes<uint>(0, 4294967295, 5) },
        { TensorDataType.Int32, "[-2147483648,2147483647,9]", Bytes(-2147483648, 2147483647, 9) },
        { TensorDataType.UInt64, "[0,18446744073709551615,1]", Bytes<ulong>(0, ulong.MaxValue, 1) },
        { TensorDataType.Int64, "[-9223372036854775808,9223372036854775807,2]", Bytes(long.MinValue, long.MaxValue, 2) },
        { TensorDataType.FP16, "[0.5,-2,65504]", Bytes((Half)0.5, (Half)(-2), Half.MaxValue) },
        { TensorDataType.FP32, "[0.1,-3.5e10,\"NaN\"]", Bytes(0.1f, -3.5e10f, float.NaN) },
        { TensorDataType.FP64, "[0.1,1e300,\"-Infinity\"]", Bytes(0.1, 1e300, double.NegativeInfinity) },
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void Read_EveryDatatype_WritesLittleEndianElements(TensorDataType type, string json, byte[] expected)
    {
        Assert.Equal(expected, Read(json, type, 3));
    }

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void Write_ThenRead_RoundTripsEveryDatatype(TensorDataType type, string json, byte[] expected)
    {
        _ = json;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            TensorElementCodec.For(type).WriteJson(writer, expected);
            writer.WriteEndArray();
        }

        Assert.Equal(expected, Read(Encoding.UTF8.GetString(buffer.ToArray()), type, 3));
    }

    [Fact]
    public void Read_ManyFloats_AllocatesOnlyTheTensor()
    {
        const int count = 10_000;
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("0.25", count)) + "]");
        TensorDataJsonReader.Read(json, "x", TensorDataType.FP32, [count]);

        // The fewest bytes of three reads: the runtime now and then allocates on the thread for itself (8 KB once in
        // CI, with other tests running beside it), where a boxed or delegated element would cost bytes in every read.
        var allocated = Enumerable.Range(0, 3).Min(_ =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            TensorDataJsonReader.Read(json, "x", TensorDataType.FP32, [count]);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });

        // The decoding loop is specialized per datatype: a boxed or delegated element would cost bytes per element.
        Assert.InRange(allocated, count * sizeof(float), count * sizeof(float) + 1024);
    }

    [Fact]
    public void Read_NestedArrays_FlattenRowMajor()
    {
        var flat = Read("[1,2,3,4,5,6]", TensorDataType.Int32, 2, 3);
        var nested = Read("[[1,2,3],[4,5,6]]", TensorDataType.Int32, 2, 3);

        Assert.Equal(flat, nested);
    }

    [Fact]
    public void Read_RankZero_HoldsOneElement()
    {
        Assert.Equal(Bytes(2.5f), Read("[2.5]", TensorDataType.FP32));
    }

    [Theory]
    [InlineData("[1,2,3]", "3 elements but shape [2,2] needs 4")]
    [InlineData("[1,2,3,4,5]", "more than the 4 elements")]
    [InlineData("[1,2,\"x\",4]", "element 2 (x) is not a valid INT32")]
    [InlineData("[1,2,null,4]", "element 2 is Null")]
    [InlineData("[1,2,2147483648,4]", "element 2 (2147483648) is not a valid INT32")]
    [InlineData("[1,2,1.5,4]", "element 2 (1.5) is not a valid INT32")]
    public void Read_BadData_NamesTheInputAndTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() => Read(json, TensorDataType.Int32, 2, 2));

        Assert.Contains("input 'x'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(TensorDataType.UInt8, "[256]")]
    [InlineData(TensorDataType.UInt8, "[-1]")]
    [InlineData(TensorDataType.Int8, "[128]")]
    [InlineData(TensorDataType.UInt16, "[65536]")]
    [InlineData(TensorDataType.Bool, "[2]")]
    [InlineData(TensorDataType.FP32, "[\"1.0\"]")]
    public void Read_ValueOutOfRangeForDatatype_IsRejected(TensorDataType type, string json)
    {
        Assert.Throws<InvalidInferenceInputException>(() => Read(json, type, 1));
    }

    [Theory]
    [InlineData(TensorDataType.FP32, "1e40")]
    [InlineData(TensorDataType.FP32, "-3.5e38")]
    [InlineData(TensorDataType.FP16, "65520")]
    [InlineData(TensorDataType.FP64, "1e400")]
    [InlineData(TensorDataType.FP64, "-1e400")]
    public void Read_FloatBeyondDatatypeRange_400NamingTheElementNotInfinity(TensorDataType type, string value)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() => Read($"[0,{value}]", type, 2));

        Assert.Contains($"data element 1 ({value})", error.Message);
        Assert.Contains("outside the range of " + type.WireName(), error.Message);
    }

    [Fact]
    public void Read_FloatsAtTheEdgeOfRange_AreKept()
    {
        Assert.Equal(Bytes(float.MaxValue, 0f), Read("[3.4028234663852886e38,1e-50]", TensorDataType.FP32, 2));
        Assert.Equal(Bytes(float.PositiveInfinity), Read("[\"Infinity\"]", TensorDataType.FP32, 1));
    }

    [Fact]
    public void Read_HugeShapeWithLittleData_RefusedBeforeAllocating()
    {
        // [134217727, 4] FP32 is 2 GiB: the reader rented that much for four values and ran out of memory.
        var error = Assert.Throws<InvalidInferenceInputException>(() => Read("[1,2,3,4]", TensorDataType.FP32, 134217727, 4));

        Assert.Contains("data has 4 elements but shape [134217727,4] needs 536870908", error.Message);
    }

    [Fact]
    public void Read_BytesStrings_LengthPrefixedUtf8InOrder()
    {
        var data = Read("""[["a",""],["h\u00e9\u0000","\"q\""]]""", TensorDataType.Bytes, 2, 2);

        Assert.Equal(Elements("a", "", "h\u00e9\0", "\"q\""), data);
    }

    [Theory]
    [InlineData("""["a",1]""", "element 1 is Number, expected a string")]
    [InlineData("""["a"]""", "data has 1 elements but shape [2] needs 2")]
    [InlineData("""["a","b","c"]""", "more than the 2 elements")]
    [InlineData("""["a","\ud800"]""", "element 1 is not a valid string")]
    public void Read_BadBytesData_NamesTheElement(string json, string expected)
    {
        var error = Assert.Throws<InvalidInferenceInputException>(() => Read(json, TensorDataType.Bytes, 2));

        Assert.Contains(expected, error.Message);
    }

    /// <summary>BYTES elements as the core carries them: a 4-byte little-endian length, then the UTF-8 bytes.</summary>
    internal static byte[] Elements(params string[] values) => Core.Inference.BytesTensorTests.Elements(values);

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
