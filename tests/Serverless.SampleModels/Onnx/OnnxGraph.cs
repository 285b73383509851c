namespace Serverless.SampleModels.Onnx;

/// <summary>Everything <see cref="OnnxModelWriter"/> serializes; built with <see cref="OnnxGraphBuilder"/>.</summary>
public sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxInitializer> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs);
