using System.Diagnostics.CodeAnalysis;

namespace Serverless.Core.Inference;

/// <summary>Wire names and element sizes of <see cref="TensorDataType"/>.</summary>
public static class TensorDataTypes
{
    /// <summary>Bytes per element; BYTES has none (check <see cref="HasFixedSize"/> first), so asking is a bug, not bad input.</summary>
    public static int ElementSize(this TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.FP16 => 2,
        TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.FP32 => 4,
        TensorDataType.Bytes => throw new InvalidOperationException("BYTES elements have no fixed size"),
        _ => 8,
    };

    public static bool HasFixedSize(this TensorDataType type) => type != TensorDataType.Bytes;

    public static bool IsFloatingPoint(this TensorDataType type) => type is TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.FP64;

    /// <summary>Elements in a tensor's data: its byte count over the element size, or BYTES' elements counted (-1: broken framing).</summary>
    public static long ElementsIn(this TensorDataType type, ReadOnlySpan<byte> data) =>
        type.HasFixedSize() ? data.Length / type.ElementSize() : BytesTensor.CountElements(data);

    /// <summary>The wire names, for messages that list them.</summary>
    public const string WireNames = "BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES";

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
        TensorDataType.FP64 => "FP64",
        _ => "BYTES",
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
            "BYTES" => TensorDataType.Bytes,
            _ => null,
        };
        return type is not null;
    }
}
