namespace Serverless.SampleModels.Onnx;

/// <summary>One operator of the default ai.onnx domain.</summary>
public sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttribute> Attributes);
