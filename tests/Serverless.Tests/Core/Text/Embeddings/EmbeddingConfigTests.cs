using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Text.Embeddings;

public sealed class EmbeddingConfigTests
{
    private static ModelConfig Parse(string json) => ModelConfig.Parse("m", Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Parse_EmbeddingSection_ReadsEveryKey()
    {
        var config = Parse("""{"embedding": {"pooling": "CLS", "normalize": false, "max_tokens": 128, "truncate": false, "lowercase": false}}""");

        Assert.Equal(new EmbeddingConfig { Pooling = "CLS", Normalize = false, MaxTokens = 128, Truncate = false, Lowercase = false }, config.Embedding);
        Assert.True(config.Embedding!.UsesClsPooling);
    }

    [Fact]
    public void Parse_EmptyEmbeddingSection_TakesWhatASentenceTransformersExportDoes()
    {
        var embedding = Parse("""{"embedding": {}}""").Embedding!;

        Assert.Equal("mean", embedding.Pooling);
        Assert.True(embedding.Normalize);
        Assert.True(embedding.Truncate);
        Assert.Null(embedding.MaxTokens);
        Assert.Null(embedding.Lowercase);
        Assert.Null(Parse("{}").Embedding);
    }

    [Theory]
    [InlineData("""{"embedding": {"pooling": "max"}}""", "embedding.pooling is 'max'")]
    [InlineData("""{"embedding": {"max_tokens": 1}}""", "embedding.max_tokens is 1")]
    [InlineData("""{"embedding": {"max_tokens": 1000000}}""", "embedding.max_tokens is 1000000")]
    public void Parse_ValueOutOfRange_FailsTheLoadNamingTheField(string json, string expected)
    {
        var e = Assert.Throws<ModelLoadException>(() => Parse(json));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Parse_WrongType_FailsTheLoad()
    {
        Assert.Throws<ModelLoadException>(() => Parse("""{"embedding": {"max_tokens": "256"}}"""));
    }

    [Fact]
    public void SampleConfig_IsMeanPooledNormalisedAndTruncatingAt256()
    {
        Assert.Equal(new EmbeddingConfig { Pooling = "mean", Normalize = true, MaxTokens = 256, Truncate = true, Lowercase = true }, SampleEmbeddingModel.Config.Embedding);
    }
}
