namespace Serverless.SampleModels.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a named symbol for a dynamic one ("batch").</summary>
public readonly record struct OnnxDim(long Value, string? Param)
{
    public static readonly OnnxDim Batch = "batch";

    public static implicit operator OnnxDim(long value) => new(value, null);

    public static implicit operator OnnxDim(string param) => new(0, param);
}
