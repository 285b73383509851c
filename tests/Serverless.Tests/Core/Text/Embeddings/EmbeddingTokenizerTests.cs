using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Text.Embeddings;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Text.Embeddings;

/// <summary>The tokenizer of an embedding model's folder, on MiniLM's vocabulary, without its encoder.</summary>
public sealed class EmbeddingTokenizerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("embedding-tokenizer-").FullName;

    private static EmbeddingTokenizer Open(string folder, EmbeddingConfig? config = null) =>
        EmbeddingTokenizer.Open("m", EncoderFolder.Read("m", folder), config ?? EmbeddingConfig.Default, new EmbeddingsOptions());

    [Fact]
    public void Tokenize_Text_IsLowerCasedWordPieceBetweenClsAndSep()
    {
        var tokenizer = Open(SampleEmbeddingModel.VersionFolder);

        var ids = tokenizer.Tokenize(EmbeddingInput.OfText("Hello, Serverless!"), "input");

        Assert.Equal(Microsoft.ML.Tokenizers.BertTokenizer.Create(SampleEmbeddingModel.VocabularyPath).EncodeToIds("hello, serverless!"), ids);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(30522, tokenizer.VocabularySize);
        Assert.Equal(0, tokenizer.PaddingId);
    }

    [Fact]
    public void Tokenize_EmptyText_IsClsAndSep()
    {
        Assert.Equal([101, 102], Open(SampleEmbeddingModel.VersionFolder).Tokenize(EmbeddingInput.OfText(""), "input"));
    }

    [Fact]
    public void Tokenize_NeitherOrBothTextAndIds_Is400()
    {
        var tokenizer = Open(SampleEmbeddingModel.VersionFolder);

        Assert.Throws<InvalidInferenceInputException>(() => tokenizer.Tokenize(new EmbeddingInput(), "input[2]"));
        var e = Assert.Throws<InvalidInferenceInputException>(() => tokenizer.Tokenize(new EmbeddingInput { Text = "a", TokenIds = [1] }, "input[2]"));
        Assert.Contains("input[2] must be either a text or a list of token ids", e.Message);
    }

    [Fact]
    public void Open_MaxTokensAbsent_TakesSentenceBertConfigsMaxSeqLengthElse512()
    {
        CopyVocabulary();
        Assert.Equal(EmbeddingConfig.DefaultMaxTokens, Open(_folder).MaxTokens);

        File.WriteAllText(Path.Combine(_folder, "sentence_bert_config.json"), """{"max_seq_length": 128, "do_lower_case": false}""");
        Assert.Equal(128, Open(_folder).MaxTokens);
        Assert.Equal(64, Open(_folder, new EmbeddingConfig { MaxTokens = 64 }).MaxTokens);
    }

    [Fact]
    public void Open_LowercaseFromTokenizerConfig_KeepsCase()
    {
        CopyVocabulary();
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """{"do_lower_case": false}""");

        var ids = Open(_folder).Tokenize(EmbeddingInput.OfText("Hello"), "input");

        // "Hello" is not in the uncased vocabulary: kept as is, it is unknown.
        Assert.Equal([101, 100, 102], ids);
    }

    [Fact]
    public void Open_TokenizerJsonOfAWordPieceModel_TokenizesAsItsVocabTxt()
    {
        var vocab = File.ReadAllLines(SampleEmbeddingModel.VocabularyPath);
        var json = new Dictionary<string, object>
        {
            ["normalizer"] = new Dictionary<string, object> { ["type"] = "BertNormalizer", ["lowercase"] = true },
            ["model"] = new Dictionary<string, object> { ["type"] = "WordPiece", ["vocab"] = vocab.Select((token, id) => (token, id)).ToDictionary(p => p.token, p => p.id) },
        };
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), JsonSerializer.Serialize(json));
        const string text = "Tokenization on the server, with WordPiece.";

        var fromJson = Open(_folder).Tokenize(EmbeddingInput.OfText(text), "input");

        Assert.Equal(Open(SampleEmbeddingModel.VersionFolder).Tokenize(EmbeddingInput.OfText(text), "input"), fromJson);
    }

    [Fact]
    public void Open_NoTokenizerFiles_FailsTheLoadNamingThem()
    {
        var e = Assert.Throws<ModelLoadException>(() => Open(_folder));

        Assert.Contains("vocab.txt or tokenizer.json", e.Message);
    }

    [Fact]
    public void Open_TokenizerJsonOfAnotherModelType_FailsTheLoad()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {}}}""");

        var e = Assert.Throws<ModelLoadException>(() => Open(_folder));

        Assert.Contains("not a WordPiece tokenizer", e.Message);
    }

    [Fact]
    public void IsEmbeddingFolder_TokenizerJsonBesideAGenAiConfig_IsAGeneratorsFolder()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), "{}");
        Assert.True(EncoderFolder.IsEmbeddingFolder(_folder, Serverless.Core.Repository.ModelConfig.Default));

        File.WriteAllText(Path.Combine(_folder, "genai_config.json"), "{}");
        Assert.False(EncoderFolder.IsEmbeddingFolder(_folder, Serverless.Core.Repository.ModelConfig.Default));
    }

    private void CopyVocabulary() => File.Copy(SampleEmbeddingModel.VocabularyPath, Path.Combine(_folder, "vocab.txt"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
