using System.Diagnostics.CodeAnalysis;

namespace Serverless.Core.Inference;

/// <summary>Wire names and element sizes of <see cref="TensorDataType"/>.</summary>
public static class TensorDataTypes
{
    public static int ElementSize(this TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.FP16 => 2,
        TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.FP32 => 4,
        _ => 8,
    };

    public static string WireName(this TensorDataType type) => type switch
    {
        TensorDataType.Bool => "BOOL",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.UInt16 => "UINT16",
        TensorDataType.UInt32 => "UINT32",
        TensorDataType.UInt64 => "UINT64",
        TensorDataType.Int8 => "INT8",
        TensorDataType.Int16 => "INT16",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.FP16 => "FP16",
        TensorDataType.FP32 => "FP32",
        _ => "FP64",
    };

    public static bool TryParse(ReadOnlySpan<char> wireName, [NotNullWhen(true)] out TensorDataType? type)
    {
        type = wireName switch
        {
            "BOOL" => TensorDataType.Bool,
            "UINT8" => TensorDataType.UInt8,
            "UINT16" => TensorDataType.UInt16,
            "UINT32" => TensorDataType.UInt32,
            "UINT64" => TensorDataType.UInt64,
            "INT8" => TensorDataType.Int8,
            "INT16" => TensorDataType.Int16,
            "INT32" => TensorDataType.Int32,
            "INT64" => TensorDataType.Int64,
            "FP16" => TensorDataType.FP16,
            "FP32" => TensorDataType.FP32,
            "FP64" => TensorDataType.FP64,
            _ => null,
        };
        return type is not null;
    }
}
