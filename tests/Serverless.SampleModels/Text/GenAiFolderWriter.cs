using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.SampleModels.Text;

/// <summary>
/// Writes a generative model version folder in ONNX Runtime GenAI's layout: <c>genai_config.json</c>, the decoder
/// (<c>model.onnx</c>), <c>tokenizer.json</c> and <c>tokenizer_config.json</c>. The same arguments always give the
/// same bytes.
/// </summary>
public static class GenAiFolderWriter
{
    public const string ConfigFile = "genai_config.json";
    public const string DecoderFile = "model.onnx";
    public const string TokenizerFile = "tokenizer.json";
    public const string TokenizerConfigFile = "tokenizer_config.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NewLine = "\n" };

    /// <param name="modelType">genai_config.json's model type; GenAI runs a standard-op decoder as <c>decoder</c> or <c>llama</c> alike.</param>
    /// <returns>The files written, name → bytes.</returns>
    public static IReadOnlyDictionary<string, byte[]> Write(string folder, DecoderDimensions dimensions, int seed, string modelType = "decoder")
    {
        var files = Create(dimensions, seed, modelType);
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }

        return files;
    }

    public static IReadOnlyDictionary<string, byte[]> Create(DecoderDimensions dimensions, int seed, string modelType = "decoder")
    {
        var tokenizer = new TinyTokenizer();
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [ConfigFile] = Json(GenAiConfig(dimensions, tokenizer, modelType)),
            [DecoderFile] = TinyDecoder.Create(dimensions, tokenizer.VocabSize, seed, tokenizer.PrintableBias()),
            [TokenizerFile] = Json(tokenizer.TokenizerJson()),
            [TokenizerConfigFile] = Json(tokenizer.TokenizerConfigJson(dimensions.ContextLength)),
        };
    }

    /// <summary>genai_config.json: the decoder's shape and file, its special tokens, and greedy search by default.</summary>
    public static JsonObject GenAiConfig(DecoderDimensions d, TinyTokenizer tokenizer, string modelType) => new()
    {
        ["model"] = new JsonObject
        {
            ["type"] = modelType,
            ["bos_token_id"] = tokenizer.EndOfTextId,
            // A chat reply ends at <|im_end|>, a plain completion at <|endoftext|>.
            ["eos_token_id"] = new JsonArray(tokenizer.MessageEndId, tokenizer.EndOfTextId),
            ["pad_token_id"] = tokenizer.EndOfTextId,
            ["vocab_size"] = tokenizer.VocabSize,
            ["context_length"] = d.ContextLength,
            ["decoder"] = new JsonObject
            {
                ["session_options"] = new JsonObject { ["log_id"] = "onnxruntime-genai", ["provider_options"] = new JsonArray() },
                ["filename"] = DecoderFile,
                ["head_size"] = d.HeadSize,
                ["hidden_size"] = d.HiddenSize,
                ["num_attention_heads"] = d.Heads,
                ["num_key_value_heads"] = d.Heads,
                ["num_hidden_layers"] = d.Layers,
                ["inputs"] = new JsonObject
                {
                    ["input_ids"] = TinyDecoder.InputIds,
                    ["attention_mask"] = TinyDecoder.AttentionMask,
                    ["position_ids"] = TinyDecoder.PositionIds,
                    ["past_key_names"] = "past_key_values.%d.key",
                    ["past_value_names"] = "past_key_values.%d.value",
                },
                ["outputs"] = new JsonObject
                {
                    ["logits"] = TinyDecoder.Logits,
                    ["present_key_names"] = "present.%d.key",
                    ["present_value_names"] = "present.%d.value",
                },
            },
        },
        ["search"] = new JsonObject
        {
            ["max_length"] = d.ContextLength,
            ["do_sample"] = false,
            ["num_beams"] = 1,
            ["top_k"] = 50,
            ["top_p"] = 1.0,
            ["temperature"] = 1.0,
        },
    };

    private static byte[] Json(JsonNode node) => new UTF8Encoding(false).GetBytes(node.ToJsonString(JsonOptions) + "\n");
}
