namespace Serverless.SampleModels.Onnx;

/// <summary>
/// A constant tensor stored in the graph, row-major: FP32 weights, biases and thresholds in <see cref="Values"/>, or,
/// when <see cref="Int64Values"/> is set, INT64 shapes, axes and indices (what Reshape, Unsqueeze and Gather read).
/// </summary>
public sealed record OnnxInitializer(string Name, IReadOnlyList<long> Dims, float[] Values)
{
    public long[]? Int64Values { get; init; }

    public OnnxElementType ElementType => Int64Values is null ? OnnxElementType.Float : OnnxElementType.Int64;
}
