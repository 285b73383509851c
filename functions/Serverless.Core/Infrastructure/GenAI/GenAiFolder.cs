using System.Text.Json;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// What the service reads itself from an ONNX Runtime GenAI model folder (GenAI reads the rest): the context length,
/// model type, vocabulary size and end-of-sequence ids from <c>genai_config.json</c>, and the chat template from
/// <c>tokenizer_config.json</c>.
/// </summary>
internal sealed record GenAiFolder(string Directory, int ContextLength, string ModelType, int VocabSize, IReadOnlySet<int> EosTokenIds, string? ChatTemplate)
{
    public const string ConfigFile = "genai_config.json";
    public const string TokenizerConfigFile = "tokenizer_config.json";

    public static bool Is(string directory) => File.Exists(Path.Combine(directory, ConfigFile));

    public static GenAiFolder Read(string directory)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ConfigFile)), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var model = config.RootElement.GetProperty("model");
        var contextLength = model.GetProperty("context_length").GetInt32();
        var type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        var vocab = model.TryGetProperty("vocab_size", out var v) ? v.GetInt32() : int.MaxValue;
        var eos = new HashSet<int>();
        if (model.TryGetProperty("eos_token_id", out var e))
        {
            if (e.ValueKind == JsonValueKind.Array)
            {
                eos.UnionWith(e.EnumerateArray().Select(i => i.GetInt32()));
            }
            else
            {
                eos.Add(e.GetInt32());
            }
        }

        return new GenAiFolder(directory, contextLength, type, vocab, eos, ReadChatTemplate(directory));
    }

    // tokenizer_config.json's chat_template is a string, or a list of named templates ({"name": "default", "template": ...}).
    private static string? ReadChatTemplate(string directory)
    {
        var path = Path.Combine(directory, TokenizerConfigFile);
        if (!File.Exists(path))
        {
            return null;
        }

        using var config = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
        if (!config.RootElement.TryGetProperty("chat_template", out var template))
        {
            return null;
        }

        return template.ValueKind switch
        {
            JsonValueKind.String => template.GetString(),
            JsonValueKind.Array => template.EnumerateArray()
                .Where(t => t.TryGetProperty("name", out var n) && n.GetString() == "default")
                .Select(t => t.GetProperty("template").GetString()).FirstOrDefault(),
            _ => null,
        };
    }
}
