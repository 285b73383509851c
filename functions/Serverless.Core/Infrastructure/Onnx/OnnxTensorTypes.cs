using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Inference;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>Maps ONNX Runtime element types to protocol datatypes and back, from one table.</summary>
internal static class OnnxTensorTypes
{
    /// <summary>ONNX Runtime's element type of each datatype, in the order of <see cref="TensorDataType"/> (a test pins each pair).</summary>
    private static readonly TensorElementType[] ElementTypes =
    [
        TensorElementType.Bool,
        TensorElementType.UInt8,
        TensorElementType.UInt16,
        TensorElementType.UInt32,
        TensorElementType.UInt64,
        TensorElementType.Int8,
        TensorElementType.Int16,
        TensorElementType.Int32,
        TensorElementType.Int64,
        TensorElementType.Float16,
        TensorElementType.Float,
        TensorElementType.Double,
        TensorElementType.String,
    ];

    /// <summary>Null for the element types this server does not serve (BFLOAT16, complex numbers, ...).</summary>
    public static TensorDataType? ToDataType(TensorElementType type) =>
        Array.IndexOf(ElementTypes, type) is var index and >= 0 ? (TensorDataType)index : null;

    public static TensorElementType ToElementType(TensorDataType type) => ElementTypes[(int)type];
}
