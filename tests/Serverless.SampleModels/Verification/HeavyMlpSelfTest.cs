using System.Diagnostics;
using Serverless.SampleModels.Onnx;
using Serverless.SampleModels.Training;

namespace Serverless.SampleModels.Verification;

/// <summary>
/// Checks that the writer holds up at benchmark scale (about 9 MB of weights): the model the benchmarks generate
/// must open in ONNX Runtime and agree with the C# forward pass. Too slow to run on every generation.
/// </summary>
internal static class HeavyMlpSelfTest
{
    private const int InputWidth = 256, OutputWidth = 16, Batch = 32, Seed = 42;
    private static readonly int[] HiddenWidths = [1024, 1024, 1024];

    public static void Run()
    {
        var stopwatch = Stopwatch.StartNew();
        var network = MlpModel.CreateNetwork(InputWidth, HiddenWidths, OutputWidth, Seed);
        var onnx = OnnxModelWriter.Write(MlpModel.Build(network));
        if (!onnx.AsSpan().SequenceEqual(MlpModel.Create(InputWidth, HiddenWidths, OutputWidth, Seed)))
        {
            throw new InvalidOperationException("self-check failed: MlpModel.Create is not reproducible for the same seed");
        }

        var random = new Random(Seed);
        var features = new float[Batch * InputWidth];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = random.NextGaussian();
        }

        var expected = new ExpectedOutput(MlpModel.OutputName, [Batch, OutputWidth], network.Predict(features, Batch));
        OnnxSelfCheck.Verify("mlp", onnx, MlpModel.InputName, features, [Batch, InputWidth], [expected]);
        Console.WriteLine(
            $"heavy MLP {InputWidth} -> [{string.Join(", ", HiddenWidths)}] -> {OutputWidth}: {onnx.Length:N0} bytes, " +
            $"batch {Batch} matches C# in ONNX Runtime ({stopwatch.ElapsedMilliseconds} ms)");
    }
}
