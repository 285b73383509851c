using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.SampleModels.Repository;

/// <summary>Writes &lt;root&gt;/&lt;model&gt;/1/model.onnx and &lt;root&gt;/&lt;model&gt;/config.json, the layout the server reads.</summary>
internal sealed class ModelRepositoryWriter(string root)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NewLine = "\n", // the same bytes on every OS, so regenerating never shows a diff
    };

    public string Write(string model, byte[] onnx, ModelConfig config)
    {
        var folder = Path.Combine(root, model);
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        var modelPath = Path.Combine(folder, "1", "model.onnx");
        File.WriteAllBytes(modelPath, onnx);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config, JsonOptions) + "\n", new UTF8Encoding(false));
        return modelPath;
    }
}
