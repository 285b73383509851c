using System.Text;
using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// A WordPiece vocabulary in <c>vocab.txt</c> form (one token a line, its id the line number), what
/// <see cref="Microsoft.ML.Tokenizers.BertTokenizer"/> reads, with its size (ids the encoder's embedding table holds).
/// A Hugging Face <c>tokenizer.json</c> of a WordPiece model is turned into the same form: the library has no reader
/// for it, and its <c>model.vocab</c> is the same token-to-id table.
/// </summary>
internal sealed record WordPieceVocabulary(byte[] VocabTxt, int Size, bool? Lowercase)
{
    public static WordPieceVocabulary FromVocabTxt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var lines = bytes.AsSpan().Count((byte)'\n');
        // A last line without a newline is a token too.
        if (bytes.Length > 0 && bytes[^1] != (byte)'\n')
        {
            lines++;
        }
        return new WordPieceVocabulary(bytes, lines, null);
    }

    public static WordPieceVocabulary FromTokenizerJson(string model, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (!root.TryGetProperty("model", out var tokenizerModel) || tokenizerModel.ValueKind != JsonValueKind.Object
                || !tokenizerModel.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || type.GetString() != "WordPiece" || !tokenizerModel.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            {
                throw new ModelLoadException($"model '{model}': tokenizer.json is not a WordPiece tokenizer (model.type WordPiece with a model.vocab table); ship a vocab.txt instead");
            }
            var tokens = new Dictionary<int, string>();
            foreach (var entry in vocab.EnumerateObject())
            {
                if (!entry.Value.TryGetInt32(out var id) || id < 0 || !tokens.TryAdd(id, entry.Name) || entry.Name.Contains('\n'))
                {
                    throw new ModelLoadException($"model '{model}': tokenizer.json model.vocab entry '{entry.Name}' has an id that is not a new non-negative integer");
                }
            }
            var text = new StringBuilder();
            for (var id = 0; id < tokens.Count; id++)
            {
                if (!tokens.TryGetValue(id, out var token))
                {
                    throw new ModelLoadException($"model '{model}': tokenizer.json model.vocab has no token with id {id}; ids must run from 0 without gaps");
                }
                text.Append(token).Append('\n');
            }
            bool? lowercase = root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object
                && normalizer.TryGetProperty("lowercase", out var lower) && lower.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? lower.GetBoolean() : null;
            return new WordPieceVocabulary(Encoding.UTF8.GetBytes(text.ToString()), tokens.Count, lowercase);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"model '{model}': tokenizer.json is not valid JSON: {e.Message}", e);
        }
    }
}
