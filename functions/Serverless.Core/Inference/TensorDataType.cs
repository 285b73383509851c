namespace Serverless.Core.Inference;

/// <summary>The Open Inference Protocol tensor datatypes this server accepts (BYTES is not supported yet).</summary>
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
}
