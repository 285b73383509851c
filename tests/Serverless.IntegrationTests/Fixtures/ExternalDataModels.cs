using System.Globalization;
using Serverless.SampleModels.Onnx;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// One small MLP (about 1 MB of weights) stored three ways: inline, its weights in one external-data file, and split
/// per layer across files in a subfolder. All three must answer alike.
/// </summary>
public static class ExternalDataModels
{
    public const string Inline = "mlp-inline";
    public const string OneFile = "mlp-one-file";
    public const string Split = "mlp-split";
    public const string OneFileWeights = "weights.bin";
    public const int InputWidth = 16;

    /// <summary>Relative path → bytes of every file of a model's version folder.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files(string model, int seed = 7)
    {
        const int outputWidth = 4;
        int[] hidden = [512, 512];
        OnnxModelFiles files = model switch
        {
            Inline => new OnnxModelFiles(MlpModel.Create(InputWidth, hidden, outputWidth, seed), new Dictionary<string, byte[]>()),
            OneFile => MlpModel.CreateWithExternalData(InputWidth, hidden, outputWidth, seed, _ => OneFileWeights),
            // dense0.weight and dense0.bias go to weights/dense0.bin, and so on.
            Split => MlpModel.CreateWithExternalData(InputWidth, hidden, outputWidth, seed, name => $"weights/{name.Split('.')[0]}.bin"),
            _ => throw new ArgumentOutOfRangeException(nameof(model)),
        };
        var all = new Dictionary<string, byte[]>(files.ExternalFiles, StringComparer.Ordinal) { ["model.onnx"] = files.Model };
        return all;
    }

    public static void WriteTo(string repository, string model, int version = 1, int seed = 7)
    {
        foreach (var (relative, bytes) in Files(model, seed))
        {
            var path = Path.Combine(repository, model, version.ToString(CultureInfo.InvariantCulture), relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
    }

    public static string Request { get; } =
        $$"""{"inputs":[{"name":"{{MlpModel.InputName}}","shape":[2,{{InputWidth}}],"datatype":"FP32","data":[{{string.Join(",", Enumerable.Range(0, 2 * InputWidth).Select(i => ((i % 7) - 3) * 0.25f).Select(v => v.ToString(CultureInfo.InvariantCulture)))}}]}]}""";
}
