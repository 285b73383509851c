using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// What an embedding model's version folder holds beside its encoder, as a sentence-transformers ONNX export ships it:
/// the WordPiece vocabulary (<c>vocab.txt</c>, or a Hugging Face <c>tokenizer.json</c> of a WordPiece model) and the
/// optional settings files whose values stand in for absent config.json keys: <c>sentence_bert_config.json</c>
/// (<c>max_seq_length</c>) and <c>tokenizer_config.json</c> (<c>do_lower_case</c>).
/// </summary>
public sealed record EncoderFolder(string? VocabularyPath, string? TokenizerJsonPath, int? MaxSeqLength, bool? DoLowerCase)
{
    public const string VocabularyFileName = "vocab.txt";
    public const string TokenizerJsonFileName = "tokenizer.json";
    public const string SentenceBertConfigFileName = "sentence_bert_config.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>ONNX Runtime GenAI's folder marker: a folder with it is a text generator's, whatever tokenizer it ships.</summary>
    public const string GenAiConfigFileName = "genai_config.json";

    /// <summary>
    /// Whether a version folder is an embedding model: config.json has an <c>embedding</c> section, or a tokenizer
    /// (<c>vocab.txt</c> or <c>tokenizer.json</c>) lies beside the model and no <c>genai_config.json</c> does (a
    /// generator's folder ships a tokenizer.json too).
    /// </summary>
    public static bool IsEmbeddingFolder(string versionDirectory, ModelConfig config) =>
        config.Embedding is not null
        || (!File.Exists(Path.Combine(versionDirectory, GenAiConfigFileName))
            && (File.Exists(Path.Combine(versionDirectory, VocabularyFileName)) || File.Exists(Path.Combine(versionDirectory, TokenizerJsonFileName))));

    /// <summary>Reads the folder's tokenizer and settings files; a settings file that is not valid JSON fails the load naming it.</summary>
    public static EncoderFolder Read(string model, string versionDirectory)
    {
        string? Existing(string name) => Path.Combine(versionDirectory, name) is var path && File.Exists(path) ? path : null;
        using var sentenceBert = ReadJson(model, Existing(SentenceBertConfigFileName));
        using var tokenizerConfig = ReadJson(model, Existing(TokenizerConfigFileName));
        return new EncoderFolder(
            Existing(VocabularyFileName),
            Existing(TokenizerJsonFileName),
            sentenceBert?.RootElement.TryGetProperty("max_seq_length", out var length) == true && length.TryGetInt32(out var max) ? max : null,
            tokenizerConfig?.RootElement.TryGetProperty("do_lower_case", out var lower) == true && lower.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? lower.GetBoolean() : null);
    }

    private static JsonDocument? ReadJson(string model, string? path)
    {
        if (path is null)
        {
            return null;
        }
        try
        {
            var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new ModelLoadException($"model '{model}': {Path.GetFileName(path)} is not a JSON object");
            }
            return document;
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"model '{model}': {Path.GetFileName(path)} is not valid JSON: {e.Message}", e);
        }
    }
}
