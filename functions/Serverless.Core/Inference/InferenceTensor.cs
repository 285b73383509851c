namespace Serverless.Core.Inference;

/// <summary>
/// A named tensor in the protocol-neutral form the core works on: flat, row-major, little-endian element bytes.
/// Both the JSON and the binary codecs decode into it, so the inference path never sees a wire format.
/// </summary>
public sealed record InferenceTensor(string Name, TensorDataType DataType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    public long ElementCount => TensorShape.ElementCount(Shape);
}
