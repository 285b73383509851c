using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Inference;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>Maps ONNX Runtime element types to protocol datatypes and back.</summary>
internal static class OnnxTensorTypes
{
    public static TensorDataType? ToDataType(TensorElementType type) => type switch
    {
        TensorElementType.Bool => TensorDataType.Bool,
        TensorElementType.UInt8 => TensorDataType.UInt8,
        TensorElementType.UInt16 => TensorDataType.UInt16,
        TensorElementType.UInt32 => TensorDataType.UInt32,
        TensorElementType.UInt64 => TensorDataType.UInt64,
        TensorElementType.Int8 => TensorDataType.Int8,
        TensorElementType.Int16 => TensorDataType.Int16,
        TensorElementType.Int32 => TensorDataType.Int32,
        TensorElementType.Int64 => TensorDataType.Int64,
        TensorElementType.Float16 => TensorDataType.FP16,
        TensorElementType.Float => TensorDataType.FP32,
        TensorElementType.Double => TensorDataType.FP64,
        TensorElementType.String => TensorDataType.Bytes,
        _ => null,
    };

    public static TensorElementType ToElementType(TensorDataType type) => type switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.FP16 => TensorElementType.Float16,
        TensorDataType.FP32 => TensorElementType.Float,
        TensorDataType.FP64 => TensorElementType.Double,
        _ => TensorElementType.String,
    };
}
