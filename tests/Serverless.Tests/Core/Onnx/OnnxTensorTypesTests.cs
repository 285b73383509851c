using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;

namespace Serverless.Tests.Core.Onnx;

public sealed class OnnxTensorTypesTests
{
    [Theory]
    [InlineData(TensorDataType.Bool, TensorElementType.Bool)]
    [InlineData(TensorDataType.UInt8, TensorElementType.UInt8)]
    [InlineData(TensorDataType.UInt16, TensorElementType.UInt16)]
    [InlineData(TensorDataType.UInt32, TensorElementType.UInt32)]
    [InlineData(TensorDataType.UInt64, TensorElementType.UInt64)]
    [InlineData(TensorDataType.Int8, TensorElementType.Int8)]
    [InlineData(TensorDataType.Int16, TensorElementType.Int16)]
    [InlineData(TensorDataType.Int32, TensorElementType.Int32)]
    [InlineData(TensorDataType.Int64, TensorElementType.Int64)]
    [InlineData(TensorDataType.FP16, TensorElementType.Float16)]
    [InlineData(TensorDataType.FP32, TensorElementType.Float)]
    [InlineData(TensorDataType.FP64, TensorElementType.Double)]
    [InlineData(TensorDataType.Bytes, TensorElementType.String)]
    public void EveryDatatype_MapsToItsElementTypeAndBack(TensorDataType type, TensorElementType element)
    {
        Assert.Equal(element, OnnxTensorTypes.ToElementType(type));
        Assert.Equal(type, OnnxTensorTypes.ToDataType(element));
    }

    [Theory]
    [InlineData(TensorElementType.BFloat16)]
    [InlineData(TensorElementType.Complex64)]
    public void ToDataType_ElementTypeNotServed_Null(TensorElementType element)
    {
        Assert.Null(OnnxTensorTypes.ToDataType(element));
    }
}
