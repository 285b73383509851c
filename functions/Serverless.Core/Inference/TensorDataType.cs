namespace Serverless.Core.Inference;

/// <summary>
/// The Open Inference Protocol tensor datatypes this server accepts. <see cref="Bytes"/> (ONNX string tensors) is the
/// one without a fixed element size: its data is laid out as <see cref="BytesTensor"/> describes.
/// </summary>
public enum TensorDataType
{
    Bool,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    FP16,
    FP32,
    FP64,
    Bytes,
}
