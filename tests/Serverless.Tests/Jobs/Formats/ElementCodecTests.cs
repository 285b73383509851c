using System.Text;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Tests.Jobs.Formats;

/// <summary>Row text to tensor elements, as job rows are read: the same answers as the HTTP codec for the same text.</summary>
public sealed class ElementCodecTests
{
    [Theory]
    [InlineData(TensorDataType.FP32, "1e40")]
    [InlineData(TensorDataType.FP32, "-3.5e38")]
    [InlineData(TensorDataType.FP16, "70000")]
    [InlineData(TensorDataType.FP64, "1e400")]
    [InlineData(TensorDataType.FP32, "infinity")]
    [InlineData(TensorDataType.FP64, "nan")]
    [InlineData(TensorDataType.FP64, "+Infinity")]
    public void TryRead_TextBeyondRangeOrNotTheSpecialStrings_Refused(TensorDataType type, string text)
    {
        Assert.False(ElementCodec.TryRead(Encoding.UTF8.GetBytes(text), type, new byte[8]));
    }

    [Theory]
    [InlineData("1e40")]
    [InlineData("1e400")]
    public void TryRead_JsonNumberBeyondFp32_Refused(string number)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(number));
        reader.Read();

        Assert.False(ElementCodec.TryRead(ref reader, TensorDataType.FP32, new byte[4]));
    }

    [Theory]
    [InlineData("Infinity", float.PositiveInfinity)]
    [InlineData("-Infinity", float.NegativeInfinity)]
    [InlineData("NaN", float.NaN)]
    [InlineData("3.4028234663852886e38", float.MaxValue)]
    [InlineData(" 2.5 ", 2.5f)]
    public void TryRead_SpecialStringsAndEdgeValues_Kept(string text, float expected)
    {
        var target = new byte[4];

        Assert.True(ElementCodec.TryRead(Encoding.UTF8.GetBytes(text), TensorDataType.FP32, target));
        Assert.Equal(expected, BitConverter.ToSingle(target));
    }

    [Fact]
    public void TryWrite_ParquetDoubleBeyondFp32_Refused()
    {
        Assert.False(ElementCodec.TryWrite(1e40, TensorDataType.FP32, new byte[4]));
        Assert.True(ElementCodec.TryWrite(double.PositiveInfinity, TensorDataType.FP32, new byte[4]));
    }
}
