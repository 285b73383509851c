using System.Runtime.CompilerServices;
using Serverless.Core.Inference;
using Serverless.Core.Inference.Elements;

namespace Serverless.Tests.Core.Inference;

public sealed class TensorDataTypesTests
{
    [Theory]
    [InlineData(TensorDataType.Bool, "BOOL", 1, typeof(bool))]
    [InlineData(TensorDataType.UInt8, "UINT8", 1, typeof(byte))]
    [InlineData(TensorDataType.UInt16, "UINT16", 2, typeof(ushort))]
    [InlineData(TensorDataType.UInt32, "UINT32", 4, typeof(uint))]
    [InlineData(TensorDataType.UInt64, "UINT64", 8, typeof(ulong))]
    [InlineData(TensorDataType.Int8, "INT8", 1, typeof(sbyte))]
    [InlineData(TensorDataType.Int16, "INT16", 2, typeof(short))]
    [InlineData(TensorDataType.Int32, "INT32", 4, typeof(int))]
    [InlineData(TensorDataType.Int64, "INT64", 8, typeof(long))]
    [InlineData(TensorDataType.FP16, "FP16", 2, typeof(Half))]
    [InlineData(TensorDataType.FP32, "FP32", 4, typeof(float))]
    [InlineData(TensorDataType.FP64, "FP64", 8, typeof(double))]
    public void EveryFixedSizeDatatype_WireNameSizeAndElement(TensorDataType type, string wireName, int size, Type element)
    {
        var visitor = new ElementTypeOf();

        Assert.Equal(wireName, type.WireName());
        Assert.True(TensorDataTypes.TryParse(wireName, out var parsed));
        Assert.Equal(type, parsed);
        Assert.Equal(size, type.ElementSize());
        Assert.Equal(element, type.Visit<ElementTypeOf, Type?>(ref visitor));
    }

    [Fact]
    public void Bytes_WireNameAndNoFixedSize()
    {
        var visitor = new ElementTypeOf();

        Assert.Equal("BYTES", TensorDataType.Bytes.WireName());
        Assert.True(TensorDataTypes.TryParse("BYTES", out var parsed));
        Assert.Equal(TensorDataType.Bytes, parsed);
        Assert.False(TensorDataType.Bytes.HasFixedSize());
        Assert.Throws<InvalidOperationException>(() => TensorDataType.Bytes.ElementSize());
        Assert.Null(TensorDataType.Bytes.Visit<ElementTypeOf, Type?>(ref visitor));
    }

    [Fact]
    public void WireNames_EveryDatatypeInEnumOrder()
    {
        Assert.Equal("BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES", TensorDataTypes.WireNames);
        Assert.Equal(Enum.GetValues<TensorDataType>().Select(t => t.WireName()), TensorDataTypes.WireNames.Split(", "));
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("FLOAT32")]
    [InlineData("STRING")]
    [InlineData("")]
    public void TryParse_NotAWireName_False(string text)
    {
        Assert.False(TensorDataTypes.TryParse(text, out var parsed));
        Assert.Null(parsed);
    }

    /// <summary>The element type each datatype visits with; null for BYTES.</summary>
    private readonly struct ElementTypeOf : ITensorElementVisitor<Type?>
    {
        public Type? Visit<TElement, T>() where TElement : struct, ITensorElement<T> where T : unmanaged =>
            Unsafe.SizeOf<T>() > 0 ? typeof(T) : null;

        public Type? VisitBytes() => null;
    }
}
