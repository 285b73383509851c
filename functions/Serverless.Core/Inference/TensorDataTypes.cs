using System.Diagnostics.CodeAnalysis;
using Serverless.Core.Inference.Elements;

namespace Serverless.Core.Inference;

/// <summary>
/// What each <see cref="TensorDataType"/> is: its element (the one dispatch over the datatype, <see cref="Visit"/>)
/// and its wire name. A new datatype is an enum member, an arm of <see cref="Visit"/>, a wire name and, for a new kind
/// of number, an <see cref="ITensorElement{T}"/>; every codec (JSON, job rows, ONNX Runtime) follows from those.
/// </summary>
public static class TensorDataTypes
{
    /// <summary>The wire names in the enum's order (a test pins each one).</summary>
    private static readonly string[] Names =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"];

    /// <summary>The wire names, for messages that list them.</summary>
    public static readonly string WireNames = string.Join(", ", Names);

    /// <summary>
    /// Runs <paramref name="visitor"/> with the element of <paramref name="type"/>: the only switch over the datatype.
    /// </summary>
    public static TResult Visit<TVisitor, TResult>(this TensorDataType type, ref TVisitor visitor)
        where TVisitor : struct, ITensorElementVisitor<TResult>, allows ref struct => type switch
    {
        TensorDataType.Bool => visitor.Visit<BoolElement, bool>(),
        TensorDataType.UInt8 => visitor.Visit<IntegerElement<byte>, byte>(),
        TensorDataType.UInt16 => visitor.Visit<IntegerElement<ushort>, ushort>(),
        TensorDataType.UInt32 => visitor.Visit<IntegerElement<uint>, uint>(),
        TensorDataType.UInt64 => visitor.Visit<IntegerElement<ulong>, ulong>(),
        TensorDataType.Int8 => visitor.Visit<IntegerElement<sbyte>, sbyte>(),
        TensorDataType.Int16 => visitor.Visit<IntegerElement<short>, short>(),
        TensorDataType.Int32 => visitor.Visit<IntegerElement<int>, int>(),
        TensorDataType.Int64 => visitor.Visit<IntegerElement<long>, long>(),
        TensorDataType.FP16 => visitor.Visit<FloatElement<Half>, Half>(),
        TensorDataType.FP32 => visitor.Visit<FloatElement<float>, float>(),
        TensorDataType.FP64 => visitor.Visit<FloatElement<double>, double>(),
        TensorDataType.Bytes => visitor.VisitBytes(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a tensor datatype"),
    };

    /// <summary>Bytes per element; BYTES has none (check <see cref="HasFixedSize"/> first), so asking is a bug, not bad input.</summary>
    public static int ElementSize(this TensorDataType type) =>
        type.HasFixedSize() ? TensorElementCodec.For(type).ElementSize : throw new InvalidOperationException("BYTES elements have no fixed size");

    public static bool HasFixedSize(this TensorDataType type) => type != TensorDataType.Bytes;

    public static bool IsFloatingPoint(this TensorDataType type) => type is TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.FP64;

    /// <summary>Elements in a tensor's data: its byte count over the element size, or BYTES' elements counted (-1: broken framing).</summary>
    public static long ElementsIn(this TensorDataType type, ReadOnlySpan<byte> data) =>
        type.HasFixedSize() ? data.Length / type.ElementSize() : BytesTensor.CountElements(data);

    public static string WireName(this TensorDataType type) => Names[(int)type];

    public static bool TryParse(ReadOnlySpan<char> wireName, [NotNullWhen(true)] out TensorDataType? type)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (wireName.SequenceEqual(Names[i]))
            {
                type = (TensorDataType)i;
                return true;
            }
        }
        type = null;
        return false;
    }
}
