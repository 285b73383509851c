using System.Globalization;
using System.Reflection;
using Serverless.SampleModels.Onnx;
using Serverless.SampleModels.Repository;
using Serverless.SampleModels.Samples;
using Serverless.SampleModels.Text;
using Serverless.SampleModels.Verification;

// Usage: dotnet run --project tests/Serverless.SampleModels -- [<out-folder>] [--self-test]
//        dotnet run --project tests/Serverless.SampleModels -- --genai <version-folder> <layers> <heads> <head-size> <context-length>
if (args.Contains("--self-test"))
{
    HeavyMlpSelfTest.Run();
    return;
}

if (args is ["--genai", var genAiFolder, var layers, var heads, var headSize, var contextLength])
{
    // A generated decoder of any size in GenAI's layout, for benchmarks (DecoderDimensions.Large: 8 8 64 1024).
    var dimensions = new DecoderDimensions(int.Parse(layers, CultureInfo.InvariantCulture), int.Parse(heads, CultureInfo.InvariantCulture),
        int.Parse(headSize, CultureInfo.InvariantCulture), int.Parse(contextLength, CultureInfo.InvariantCulture));
    var written = GenAiFolderWriter.Write(genAiFolder, dimensions, TinyChatSample.Seed);
    Console.WriteLine($"{genAiFolder}: {string.Join(", ", written.Select(f => $"{f.Key} {f.Value.Length:N0} bytes"))}");
    return;
}

var root = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
    ?? typeof(SampleCatalog).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleModelsDirectory").Value!;
var repository = new ModelRepositoryWriter(root);

foreach (var sample in SampleCatalog.All)
{
    var trained = sample.Train();
    var losses = trained.Losses;
    foreach (var epoch in new[] { 0, sample.Epochs / 4, sample.Epochs / 2, 3 * sample.Epochs / 4, sample.Epochs })
    {
        Console.WriteLine($"{sample.Name}: epoch {epoch,5} loss {losses[epoch]:F6}");
    }

    var summary = trained.Summarize();
    var onnx = OnnxModelWriter.Write(ModelSignature.Build(sample.Name, trained.Network));

    // A broken writer must fail here, not in the server: ONNX Runtime has to reproduce the C# forward pass.
    const int checkRows = 8;
    var features = trained.Data.FirstRows(checkRows);
    OnnxSelfCheck.Verify(sample.Name, onnx, ModelSignature.InputName, features, [checkRows, trained.Data.Inputs],
        ModelSignature.Expected(trained.Network, features, checkRows));

    var path = repository.Write(sample.Name, onnx, new ModelConfig { Description = sample.Description, Training = summary });
    var metric = summary.R2 is { } r2 ? $"r2 {r2}" : $"accuracy {summary.Accuracy}";
    Console.WriteLine($"{sample.Name}: final loss {summary.FinalLoss}, {metric}, {onnx.Length:N0} bytes -> {path}");
}

var generative = TinyChatSample.Write(root);
Console.WriteLine($"{TinyChatSample.Name}: {string.Join(", ", Directory.GetFiles(generative).Order(StringComparer.Ordinal).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length:N0} bytes"))} -> {generative}");
