namespace Serverless.SampleModels.Onnx;

/// <summary>A graph input or output: its name, element type and shape.</summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape);
