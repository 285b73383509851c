using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Tests.Core.Inference.Elements;

/// <summary>
/// Tensor elements to and from JSON values (<c>/infer</c>, JSONL rows), text fields (CSV rows) and typed-column numbers
/// (Parquet rows): the one codec every format uses, so its text is pinned here byte for byte.
/// </summary>
public sealed class TensorElementCodecTests
{
    /// <summary>Elements of each datatype, their JSON values and their text, as the server has always written them.</summary>
    public static TheoryData<TensorDataType, byte[], string, string> EveryDatatype() => new()
    {
        { TensorDataType.Bool, [1, 0], "[true,false]", "true false" },
        { TensorDataType.UInt8, [0, 255], "[0,255]", "0 255" },
        { TensorDataType.UInt16, Bytes<ushort>(0, 65535), "[0,65535]", "0 65535" },
        { TensorDataType.UInt32, Bytes<uint>(0, uint.MaxValue), "[0,4294967295]", "0 4294967295" },
        { TensorDataType.UInt64, Bytes<ulong>(0, ulong.MaxValue), "[0,18446744073709551615]", "0 18446744073709551615" },
        { TensorDataType.Int8, Bytes<sbyte>(-128, 127), "[-128,127]", "-128 127" },
        { TensorDataType.Int16, Bytes<short>(-32768, 32767), "[-32768,32767]", "-32768 32767" },
        { TensorDataType.Int32, Bytes(int.MinValue, int.MaxValue), "[-2147483648,2147483647]", "-2147483648 2147483647" },
        { TensorDataType.Int64, Bytes(long.MinValue, long.MaxValue), "[-9223372036854775808,9223372036854775807]", "-9223372036854775808 9223372036854775807" },
        // FP16 goes out as the float it widens to: (Half)0.1 is 0.099975586, not "0.1".
        { TensorDataType.FP16, Bytes((Half)0.1, Half.MaxValue, Half.NaN, Half.NegativeInfinity), """[0.099975586,65504,"NaN","-Infinity"]""", "0.099975586 65504 NaN -Infinity" },
        { TensorDataType.FP32, Bytes(0.1f, -3.5e10f, float.PositiveInfinity, float.Epsilon), """[0.1,-3.5E+10,"Infinity",1E-45]""", "0.1 -3.5E+10 Infinity 1E-45" },
        { TensorDataType.FP64, Bytes(0.1, 1e300, double.NaN, -0.0), """[0.1,1E+300,"NaN",-0]""", "0.1 1E+300 NaN -0" },
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void WriteJson_EveryDatatype_ShortestRoundTripNumbersAndSpecialStrings(TensorDataType type, byte[] data, string json, string text)
    {
        _ = text;

        Assert.Equal(json, WriteJson(type, data));
    }

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void TryReadJson_WhatWriteJsonWrote_SameBytes(TensorDataType type, byte[] data, string json, string text)
    {
        _ = text;
        var codec = TensorElementCodec.For(type);
        var read = new byte[data.Length];
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Assert.True(codec.TryReadJson(ref reader, read.AsSpan(index++ * codec.ElementSize)));
        }

        Assert.Equal(data, read);
    }

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void FormatText_EveryDatatype_InvariantShortestRoundTrip(TensorDataType type, byte[] data, string json, string text)
    {
        _ = json;

        Assert.Equal(text, string.Join(" ", FormatText(type, data)));
    }

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void TryParseText_WhatFormatTextWrote_SameBytes(TensorDataType type, byte[] data, string json, string text)
    {
        _ = json;
        var codec = TensorElementCodec.For(type);
        var read = new byte[data.Length];

        var fields = text.Split(' ');
        for (var i = 0; i < fields.Length; i++)
        {
            Assert.True(codec.TryParseText(Encoding.UTF8.GetBytes(fields[i]), read.AsSpan(i * codec.ElementSize)));
        }

        Assert.Equal(data, read);
    }

    [Theory]
    [InlineData(TensorDataType.FP32, "1e40")]
    [InlineData(TensorDataType.FP32, "-3.5e38")]
    [InlineData(TensorDataType.FP16, "65520")]
    [InlineData(TensorDataType.FP16, "70000")]
    [InlineData(TensorDataType.FP64, "1e400")]
    [InlineData(TensorDataType.FP32, "\"1.0\"")]
    [InlineData(TensorDataType.FP32, "\"nan\"")]
    [InlineData(TensorDataType.FP64, "\"+Infinity\"")]
    [InlineData(TensorDataType.UInt8, "256")]
    [InlineData(TensorDataType.UInt8, "-1")]
    [InlineData(TensorDataType.Int8, "128")]
    [InlineData(TensorDataType.UInt32, "4294967296")]
    [InlineData(TensorDataType.Int64, "9223372036854775808")]
    [InlineData(TensorDataType.UInt64, "18446744073709551616")]
    [InlineData(TensorDataType.Int32, "1.5")]
    [InlineData(TensorDataType.Int32, "1e2")]
    [InlineData(TensorDataType.Int32, "\"1\"")]
    [InlineData(TensorDataType.Bool, "2")]
    [InlineData(TensorDataType.Bool, "\"true\"")]
    [InlineData(TensorDataType.Int32, "true")]
    public void TryReadJson_ValueNotOfTheDatatype_Refused(TensorDataType type, string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();

        Assert.False(TensorElementCodec.For(type).TryReadJson(ref reader, new byte[8]));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("0", 0)]
    [InlineData("true", 1)]
    [InlineData("false", 0)]
    public void TryReadJson_BoolAsLiteralOrZeroOrOne_Kept(string json, byte expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        var target = new byte[1];

        Assert.True(TensorElementCodec.For(TensorDataType.Bool).TryReadJson(ref reader, target));
        Assert.Equal(expected, target[0]);
    }

    [Theory]
    [InlineData(TensorDataType.FP32, "1e40")]
    [InlineData(TensorDataType.FP32, "-3.5e38")]
    [InlineData(TensorDataType.FP16, "70000")]
    [InlineData(TensorDataType.FP64, "1e400")]
    [InlineData(TensorDataType.FP32, "infinity")]
    [InlineData(TensorDataType.FP64, "nan")]
    [InlineData(TensorDataType.FP64, "+Infinity")]
    [InlineData(TensorDataType.UInt8, "256")]
    [InlineData(TensorDataType.UInt16, "-1")]
    [InlineData(TensorDataType.Int16, "32768")]
    [InlineData(TensorDataType.Int32, "1.5")]
    [InlineData(TensorDataType.Int32, "")]
    [InlineData(TensorDataType.Bool, "2")]
    [InlineData(TensorDataType.Bool, "yes")]
    [InlineData(TensorDataType.Bool, "True")]
    public void TryParseText_TextBeyondRangeOrNotTheSpecialStrings_Refused(TensorDataType type, string text)
    {
        Assert.False(TensorElementCodec.For(type).TryParseText(Encoding.UTF8.GetBytes(text), new byte[8]));
    }

    [Theory]
    [InlineData("Infinity", float.PositiveInfinity)]
    [InlineData("-Infinity", float.NegativeInfinity)]
    [InlineData("NaN", float.NaN)]
    [InlineData("3.4028234663852886e38", float.MaxValue)]
    [InlineData(" 2.5 ", 2.5f)]
    [InlineData("\t1e-3", 0.001f)]
    public void TryParseText_SpecialStringsAndEdgeValues_Kept(string text, float expected)
    {
        var target = new byte[4];

        Assert.True(TensorElementCodec.For(TensorDataType.FP32).TryParseText(Encoding.UTF8.GetBytes(text), target));
        Assert.Equal(expected, BitConverter.ToSingle(target));
    }

    [Theory]
    [InlineData(TensorDataType.Bool, 1.0)]
    [InlineData(TensorDataType.UInt8, 255.0)]
    [InlineData(TensorDataType.Int8, -128.0)]
    [InlineData(TensorDataType.Int32, 2147483647.0)]
    [InlineData(TensorDataType.Int64, -9223372036854775808.0)]
    [InlineData(TensorDataType.UInt64, 18446744073709549568.0)]
    [InlineData(TensorDataType.FP16, 65504.0)]
    [InlineData(TensorDataType.FP32, double.PositiveInfinity)]
    [InlineData(TensorDataType.FP64, double.NaN)]
    public void TryConvert_ColumnNumberInRange_KeptExactly(TensorDataType type, double number)
    {
        var target = new byte[8];

        Assert.True(TensorElementCodec.For(type).TryConvert(number, target));
        Assert.Equal(number, ToDouble(type, target));
    }

    [Theory]
    [InlineData(TensorDataType.Bool, 2.0)]
    [InlineData(TensorDataType.UInt8, 256.0)]
    [InlineData(TensorDataType.UInt8, -1.0)]
    [InlineData(TensorDataType.Int8, 128.0)]
    [InlineData(TensorDataType.Int32, 1.5)]
    [InlineData(TensorDataType.Int32, double.NaN)]
    [InlineData(TensorDataType.Int32, double.PositiveInfinity)]
    [InlineData(TensorDataType.Int64, 9223372036854775808.0)]
    [InlineData(TensorDataType.UInt64, 18446744073709551616.0)]
    [InlineData(TensorDataType.FP16, 65520.0)]
    [InlineData(TensorDataType.FP32, 1e40)]
    public void TryConvert_ColumnNumberOutOfRangeOrNotWhole_Refused(TensorDataType type, double number)
    {
        Assert.False(TensorElementCodec.For(type).TryConvert(number, new byte[8]));
    }

    [Fact]
    public void WriteJson_BoolByteOtherThanZero_True()
    {
        Assert.Equal("[false,true,true]", WriteJson(TensorDataType.Bool, [0, 1, 2]));
        Assert.Equal(["false", "true", "true"], FormatText(TensorDataType.Bool, [0, 1, 255]));
    }

    [Fact]
    public void WriteJson_Bytes_JsonStringsEscapedAsNeeded()
    {
        var data = BytesTensorTests.Elements("x\0y", "\"", "");

        Assert.Equal("""["x\u0000y","\u0022",""]""", WriteJson(TensorDataType.Bytes, data));
    }

    [Fact]
    public void Bytes_ReadingOneElementIntoASlot_IsABug()
    {
        var codec = TensorElementCodec.For(TensorDataType.Bytes);

        Assert.Equal(0, codec.ElementSize);
        Assert.Throws<InvalidOperationException>(() => codec.TryParseText("a"u8, new byte[8]));
        Assert.Throws<InvalidOperationException>(() => codec.TryConvert(1, new byte[8]));
        Assert.Throws<InvalidOperationException>(() => codec.FormatText([], 0, new byte[8]));
    }

    private static string WriteJson(TensorDataType type, byte[] data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            TensorElementCodec.For(type).WriteJson(writer, data);
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string[] FormatText(TensorDataType type, byte[] data)
    {
        var codec = TensorElementCodec.For(type);
        var text = new byte[64];
        return Enumerable.Range(0, data.Length / codec.ElementSize)
            .Select(i => Encoding.UTF8.GetString(text, 0, codec.FormatText(data, i, text)))
            .ToArray();
    }

    private static double ToDouble(TensorDataType type, byte[] element) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 => element[0],
        TensorDataType.Int8 => (sbyte)element[0],
        TensorDataType.Int32 => BitConverter.ToInt32(element),
        TensorDataType.Int64 => BitConverter.ToInt64(element),
        TensorDataType.UInt64 => BitConverter.ToUInt64(element),
        TensorDataType.FP16 => (double)BitConverter.ToHalf(element),
        TensorDataType.FP32 => BitConverter.ToSingle(element),
        _ => BitConverter.ToDouble(element),
    };

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
