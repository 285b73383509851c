using Serverless.SampleModels.Training;

namespace Serverless.SampleModels.Onnx;

/// <summary>
/// Untrained Relu MLPs of any size, for benchmarks that need a heavy model without committing megabytes:
/// input <c>features</c> FP32 [batch, inputWidth], output <c>logits</c> FP32 [batch, outputWidth].
/// </summary>
public static class MlpModel
{
    public const string InputName = "features";
    public const string OutputName = "logits";

    /// <returns>The model.onnx bytes; the same arguments always give the same bytes.</returns>
    public static byte[] Create(int inputWidth, IReadOnlyList<int> hiddenWidths, int outputWidth, int seed) =>
        OnnxModelWriter.Write(Build(CreateNetwork(inputWidth, hiddenWidths, outputWidth, seed)));

    /// <summary>
    /// The same model with its weights in external-data files (initializers dense{layer}.weight / dense{layer}.bias):
    /// <paramref name="fileOf"/> maps an initializer's name to a path relative to model.onnx, or null to keep it inline.
    /// </summary>
    public static OnnxModelFiles CreateWithExternalData(int inputWidth, IReadOnlyList<int> hiddenWidths, int outputWidth, int seed, Func<string, string?> fileOf) =>
        OnnxModelWriter.WriteWithExternalData(Build(CreateNetwork(inputWidth, hiddenWidths, outputWidth, seed)), fileOf);

    internal static DenseNetwork CreateNetwork(int inputWidth, IReadOnlyList<int> hiddenWidths, int outputWidth, int seed) =>
        DenseNetwork.CreateRandom([inputWidth, .. hiddenWidths, outputWidth], OutputActivation.Identity, new Random(seed));

    internal static OnnxGraph Build(DenseNetwork network)
    {
        var graph = new OnnxGraphBuilder("mlp")
            .AddInput(InputName, OnnxElementType.Float, OnnxDim.Batch, network.InputWidth)
            .AddOutput(OutputName, OnnxElementType.Float, OnnxDim.Batch, network.OutputWidth);
        network.AppendTo(graph, InputName, OutputName);
        return graph.Build();
    }
}
