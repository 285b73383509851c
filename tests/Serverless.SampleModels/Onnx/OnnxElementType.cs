namespace Serverless.SampleModels.Onnx;

/// <summary>The subset of <c>TensorProto.DataType</c> the sample models use; values are the proto enum numbers.</summary>
public enum OnnxElementType
{
    Float = 1,
    Int64 = 7,
    String = 8,
    Bool = 9,
}
