using System.Globalization;
using Microsoft.ML.Tokenizers;
using Serverless.Core.Errors;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// Turns one input into the ids it feeds the encoder, and holds the bounds on it: text is WordPiece-tokenized
/// (<see cref="BertTokenizer"/>) and wrapped in [CLS] … [SEP]; token ids are taken as given, checked against the
/// vocabulary. An input over the model's token limit is cut to it as Hugging Face's tokenizers truncate (the first
/// tokens, [SEP] kept last), or refused with a 400 when the model's config says not to truncate.
/// </summary>
internal sealed class EmbeddingTokenizer
{
    private readonly string _model;
    private readonly BertTokenizer _bert;
    private readonly int _maxCharacters;

    public EmbeddingTokenizer(string model, BertTokenizer bert, int vocabularySize, int maxTokens, bool truncate, int maxCharacters)
    {
        _model = model;
        _bert = bert;
        VocabularySize = vocabularySize;
        MaxTokens = maxTokens;
        Truncate = truncate;
        _maxCharacters = maxCharacters;
    }

    /// <summary>Ids the encoder knows: 0 to this, exclusive.</summary>
    public int VocabularySize { get; }

    /// <summary>Most ids one input feeds the encoder, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    public bool Truncate { get; }

    public int PaddingId => _bert.PaddingTokenId;

    /// <summary>The tokenizer of a version folder (<see cref="EncoderFolder"/>): vocab.txt if it has one, else tokenizer.json.</summary>
    public static EmbeddingTokenizer Open(string model, EncoderFolder folder, EmbeddingConfig config, EmbeddingsOptions limits)
    {
        var vocabulary = folder.VocabularyPath is { } vocabTxt ? WordPieceVocabulary.FromVocabTxt(vocabTxt)
            : folder.TokenizerJsonPath is { } tokenizerJson ? WordPieceVocabulary.FromTokenizerJson(model, tokenizerJson)
            : throw new ModelLoadException($"model '{model}': an embedding model needs its tokenizer beside the model: {EncoderFolder.VocabularyFileName} or {EncoderFolder.TokenizerJsonFileName}");
        var options = new BertOptions { LowerCaseBeforeTokenization = config.Lowercase ?? folder.DoLowerCase ?? vocabulary.Lowercase ?? true };
        BertTokenizer bert;
        try
        {
            bert = BertTokenizer.Create(new MemoryStream(vocabulary.VocabTxt, writable: false), options);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException)
        {
            // The library refuses a vocabulary without BERT's special tokens ([UNK], [CLS], [SEP], [PAD], [MASK]).
            throw new ModelLoadException($"model '{model}': its WordPiece vocabulary cannot be read: {e.Message}", e);
        }
        var maxTokens = config.MaxTokens ?? folder.MaxSeqLength ?? EmbeddingConfig.DefaultMaxTokens;
        if (maxTokens is < 2 or > EmbeddingConfig.MaxTokensLimit)
        {
            throw new ModelLoadException(string.Create(CultureInfo.InvariantCulture,
                $"model '{model}': {EncoderFolder.SentenceBertConfigFileName} max_seq_length is {maxTokens}; it must be between 2 and {EmbeddingConfig.MaxTokensLimit}"));
        }
        return new EmbeddingTokenizer(model, bert, vocabulary.Size, maxTokens, config.Truncate, limits.MaxCharactersPerInput);
    }

    /// <summary>The ids <paramref name="input"/> feeds the encoder; a 400 naming <paramref name="what"/> (<c>input[3]</c>) when it breaks a bound.</summary>
    public int[] Tokenize(EmbeddingInput input, string what) => input switch
    {
        { Text: { } text, TokenIds: null } => FromText(text, what),
        { Text: null, TokenIds: { } ids } => FromIds(ids, what),
        _ => throw new InvalidInferenceInputException($"{what} must be either a text or a list of token ids"),
    };

    private int[] FromText(string text, string what)
    {
        if (text.Length > _maxCharacters)
        {
            throw new InvalidInferenceInputException(string.Create(CultureInfo.InvariantCulture,
                $"{what} has {text.Length} characters; at most {_maxCharacters} are accepted (Embeddings:MaxCharactersPerInput)"));
        }
        // The whole text, then cut: the library's own token budget stops at a word boundary, Hugging Face's truncation
        // (what the model was exported and evaluated with) within a word.
        var words = _bert.EncodeToIds(text, addSpecialTokens: false);
        var kept = Math.Min(words.Count, MaxTokens - 2);
        if (kept < words.Count && !Truncate)
        {
            throw TooLong(what, words.Count + 2);
        }
        var ids = new int[kept + 2];
        ids[0] = _bert.ClassificationTokenId;
        for (var i = 0; i < kept; i++)
        {
            ids[i + 1] = words[i];
        }
        ids[^1] = _bert.SeparatorTokenId;
        return ids;
    }

    private int[] FromIds(IReadOnlyList<int> given, string what)
    {
        if (given.Count == 0)
        {
            throw new InvalidInferenceInputException($"{what} is an empty list of token ids");
        }
        for (var i = 0; i < given.Count; i++)
        {
            if ((uint)given[i] >= (uint)VocabularySize)
            {
                throw new InvalidInferenceInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: token id {given[i]} at position {i} is not in the vocabulary of model '{_model}' (ids 0 to {VocabularySize - 1})"));
            }
        }
        if (given.Count <= MaxTokens)
        {
            return [.. given];
        }
        if (!Truncate)
        {
            throw TooLong(what, given.Count);
        }
        var ids = given.Take(MaxTokens).ToArray();
        // Ids that end with [SEP] keep it last, as text does.
        if (given[^1] == _bert.SeparatorTokenId)
        {
            ids[^1] = _bert.SeparatorTokenId;
        }
        return ids;
    }

    private InvalidInferenceInputException TooLong(string what, int tokens) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{what} is {tokens} tokens long ([CLS] and [SEP] included); model '{_model}' takes at most {MaxTokens} (config.json embedding.max_tokens; embedding.truncate is false)"));
}
