namespace Serverless.SampleModels.Onnx;

/// <summary>
/// A graph input or output: its name, element type and shape. <paramref name="Optional"/> wraps the tensor type in
/// ONNX's <c>optional(...)</c> (IR 8, opset 15+): an input a caller may leave out.
/// </summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape, bool Optional = false);
