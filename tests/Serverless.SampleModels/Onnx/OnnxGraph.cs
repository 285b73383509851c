namespace Serverless.SampleModels.Onnx;

/// <summary>Everything <see cref="OnnxModelWriter"/> serializes; built with <see cref="OnnxGraphBuilder"/>.</summary>
public sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxInitializer> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs)
{
    /// <summary>ModelProto.ir_version: below 4, ONNX required every initializer to be listed among the inputs too.</summary>
    public long IrVersion { get; init; } = OnnxModelWriter.IrVersion;

    public long OpsetVersion { get; init; } = OnnxModelWriter.OpsetVersion;
}
