namespace Serverless.SampleModels.Onnx;

/// <summary>A constant FP32 tensor stored in the graph (weights, biases, thresholds), row-major.</summary>
public sealed record OnnxInitializer(string Name, IReadOnlyList<long> Dims, float[] Values);
