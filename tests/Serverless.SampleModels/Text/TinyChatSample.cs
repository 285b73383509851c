using System.Text;

namespace Serverless.SampleModels.Text;

/// <summary>
/// models/tiny-chat: the sample generative model, so a newcomer can call /v1/chat/completions at once. Random
/// weights: it answers fluent-looking nonsense by design.
/// </summary>
public static class TinyChatSample
{
    public const string Name = "tiny-chat";
    public const int Seed = 23;

    public const string Description =
        "A tiny GPT-style decoder with random weights and a byte-level BPE tokenizer in ONNX Runtime GenAI's layout: " +
        "it generates nonsense by design. Drop a real GenAI model folder in its place to get sense.";

    /// <returns>The version folder written.</returns>
    public static string Write(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, Name);
        var version = Path.Combine(folder, "1");
        GenAiFolderWriter.Write(version, DecoderDimensions.Tiny, Seed);
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {
              "description": "{{Description}}"
            }

            """, new UTF8Encoding(false));
        return version;
    }
}
