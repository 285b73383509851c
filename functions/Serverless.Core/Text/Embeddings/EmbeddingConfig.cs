using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// <c>config.json</c> <c>embedding</c>: how an encoder's hidden states become one vector per input, and how long an
/// input may be. Absent keys take what a sentence-transformers export does (mean pooling, L2-normalised, truncating);
/// the token limit and lower-casing, when absent, come from the files of the export in the version folder
/// (<see cref="EncoderFolder"/>), else 512 tokens and lower-casing (uncased BERT).
/// </summary>
public sealed record EmbeddingConfig
{
    public static readonly EmbeddingConfig Default = new();

    public const string MeanPooling = "mean";
    public const string ClsPooling = "cls";

    /// <summary>Tokens an input may feed the encoder when neither config.json nor sentence_bert_config.json says: BERT's position limit.</summary>
    public const int DefaultMaxTokens = 512;

    /// <summary>Highest configurable token limit: past any BERT-family encoder's positions, below what one padded batch can hold.</summary>
    public const int MaxTokensLimit = 32_768;

    /// <summary><c>mean</c> (average of the token states under the attention mask) or <c>cls</c> (the first token's state).</summary>
    public string Pooling { get; init; } = MeanPooling;

    /// <summary>Scale every vector to length 1, so a dot product is the cosine similarity.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Most tokens one input feeds the encoder, [CLS] and [SEP] included; null: sentence_bert_config.json's max_seq_length, else 512.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>An input over <see cref="MaxTokens"/> is cut to it (keeping [SEP] last), or refused with a 400 when false.</summary>
    public bool Truncate { get; init; } = true;

    /// <summary>Lower-case text before WordPiece (uncased vocabularies); null: the tokenizer files' own setting, else true.</summary>
    public bool? Lowercase { get; init; }

    public bool UsesClsPooling => string.Equals(Pooling, ClsPooling, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every value against its documented range; a value past it fails the model's load naming the field.</summary>
    internal void Validate(string model)
    {
        if (!string.Equals(Pooling, MeanPooling, StringComparison.OrdinalIgnoreCase) && !UsesClsPooling)
        {
            throw new ModelLoadException($"model '{model}': config.json embedding.pooling is '{Pooling}'; it must be {MeanPooling} or {ClsPooling}");
        }
        // Two: [CLS] and [SEP] alone.
        ConfigRange.Check(model, "embedding.max_tokens", MaxTokens, 2, MaxTokensLimit);
    }
}
