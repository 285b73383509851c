using Serverless.Core.Errors;
using Serverless.Core.Text.Embeddings;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Text.Embeddings;

/// <summary>The MiniLM sample through <see cref="EmbeddingModel"/>, against the graph run directly.</summary>
public sealed class EmbeddingModelTests(MiniLmEncoder miniLm) : IClassFixture<MiniLmEncoder>
{
    // Padding changes the shapes ONNX Runtime multiplies, so a row's sums may round differently in the last bits; the
    // masked positions themselves contribute exactly nothing.
    private const float Tolerance = 1e-5f;

    private static readonly string[] Texts =
    [
        "A man is playing a guitar.",
        "Serverless inference answers HTTP requests with ONNX Runtime.",
        "The quick brown fox jumps over the lazy dog, then sleeps in the warm afternoon sun beside the river bank.",
        "Hi",
    ];

    private static IReadOnlyList<EmbeddingInput> Inputs(params string[] texts) => texts.Select(EmbeddingInput.OfText).ToList();

    [Fact]
    public async Task EmbedAsync_MiniLm_EqualsTheGraphRunDirectlyWithTheSameTokenizationMeanPoolingAndNormalisation()
    {
        var model = miniLm.Open();

        var batch = await model.EmbedAsync(Inputs(Texts));

        Assert.Equal(Texts.Length, batch.Vectors.Count);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(SampleEmbeddingModel.Dimensions, batch.Vectors[i].Length);
            Assert.True(MiniLmEncoder.MaxDifference(miniLm.Reference(Texts[i]), batch.Vectors[i]) <= Tolerance, $"text {i}");
            Assert.Equal(miniLm.Tokenizer.EncodeToIds(Texts[i]).Count, batch.TokenCounts[i]);
        }
        Assert.Equal(batch.TokenCounts.Sum(), batch.TotalTokens);
        Assert.True(batch.ComputeTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task EmbedAsync_Paraphrases_AreCloserThanUnrelatedSentences()
    {
        var model = miniLm.Open();

        var v = (await model.EmbedAsync(Inputs(
            "How do I reset my password?",
            "What are the steps to change my login password?",
            "The weather in Lisbon is sunny today."))).Vectors;

        var paraphrase = MiniLmEncoder.Cosine(v[0], v[1]);
        var unrelated = MiniLmEncoder.Cosine(v[0], v[2]);
        Assert.True(paraphrase > unrelated + 0.3, $"paraphrase {paraphrase:F3}, unrelated {unrelated:F3}");
    }

    [Fact]
    public async Task EmbedAsync_SameText_SameVectorAloneInAListWithOthersAndAcrossConcurrentCalls()
    {
        var model = miniLm.Open();
        const string text = "A man is playing a guitar.";

        var alone = (await model.EmbedAsync(Inputs(text))).Vectors[0];
        // Padded to a longer neighbour, and beside shorter ones.
        var inList = (await model.EmbedAsync(Inputs(Texts[2], text, Texts[3]))).Vectors[1];
        // Concurrent calls, each with other company: their sequences share runs.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
            (await model.EmbedAsync(Inputs(Texts[i % Texts.Length], text))).Vectors[1]));

        Assert.True(MiniLmEncoder.MaxDifference(alone, inList) <= Tolerance);
        Assert.All(concurrent, v => Assert.True(MiniLmEncoder.MaxDifference(alone, v) <= Tolerance));
        Assert.True(MiniLmEncoder.MaxDifference(miniLm.Reference(text), alone) <= Tolerance);
    }

    [Fact]
    public async Task EmbedAsync_MoreInputsThanABatch_RunInPaddedBatchesOfMaxBatchSize()
    {
        var model = miniLm.Open(maxBatchSize: 4);
        var before = miniLm.Statistics.For(MiniLmEncoder.Key).Snapshot().ExecutionCount;
        var texts = Enumerable.Range(0, 10).Select(i => Texts[i % Texts.Length]).ToArray();

        var batch = await model.EmbedAsync(Inputs(texts));

        // One call's inputs are queued together: 10 at 4 a run is 3 runs.
        Assert.Equal(3, miniLm.Statistics.For(MiniLmEncoder.Key).Snapshot().ExecutionCount - before);
        Assert.True(MiniLmEncoder.MaxDifference(batch.Vectors[0], batch.Vectors[4]) <= Tolerance);
    }

    [Fact]
    public async Task EmbedAsync_TokenIds_AreEmbeddedAsGiven()
    {
        var model = miniLm.Open();
        var ids = miniLm.Tokenizer.EncodeToIds(Texts[0]);

        var batch = await model.EmbedAsync([EmbeddingInput.OfTokens(ids)]);

        Assert.Equal(ids.Count, batch.TokenCounts[0]);
        Assert.True(MiniLmEncoder.MaxDifference(miniLm.Reference(Texts[0]), batch.Vectors[0]) <= Tolerance);
    }

    [Fact]
    public async Task EmbedAsync_OverLongText_IsCutToMaxTokensKeepingSepLast()
    {
        // A short limit keeps the runs short; the sample's own 256 is checked on the ids alone below.
        var model = miniLm.Open(SampleEmbeddingModel.Config.Embedding! with { MaxTokens = 32 });
        var text = string.Join(' ', Enumerable.Repeat("serverless embeddings", 30));

        var ids = model.Tokenize(EmbeddingInput.OfText(text));
        var batch = await model.EmbedAsync(Inputs(text));

        Assert.Equal(32, ids.Count);
        Assert.Equal(miniLm.Tokenizer.ClassificationTokenId, ids[0]);
        Assert.Equal(miniLm.Tokenizer.SeparatorTokenId, ids[^1]);
        Assert.Equal(miniLm.Tokenizer.EncodeToIds(text).Take(31), ids.Take(31));
        Assert.Equal(32, batch.TokenCounts[0]);
        Assert.True(MiniLmEncoder.MaxDifference(miniLm.Reference(ids), batch.Vectors[0]) <= Tolerance);
        Assert.Equal(SampleEmbeddingModel.MaxTokens, miniLm.Open().Tokenize(EmbeddingInput.OfText(text + text)).Count);
    }

    [Fact]
    public async Task EmbedAsync_OverLongText_WithTruncateOff_Is400NamingTheInputAndTheLimit()
    {
        var model = miniLm.Open(SampleEmbeddingModel.Config.Embedding! with { Truncate = false });
        var text = string.Join(' ', Enumerable.Repeat("word", 300));

        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.EmbedAsync(Inputs("short", text)));

        Assert.Equal(400, e.StatusCode);
        Assert.Contains("input[1] is 302 tokens long", e.Message);
        Assert.Contains("at most 256", e.Message);
    }

    [Fact]
    public void Tokenize_OverLongTokenIds_AreCutKeepingSepLast()
    {
        var model = miniLm.Open();
        var ids = miniLm.Tokenizer.EncodeToIds(string.Join(' ', Enumerable.Repeat("word", 300)));

        var kept = model.Tokenize(EmbeddingInput.OfTokens(ids));

        Assert.Equal(SampleEmbeddingModel.MaxTokens, kept.Count);
        Assert.Equal(ids.Take(SampleEmbeddingModel.MaxTokens - 1), kept.Take(SampleEmbeddingModel.MaxTokens - 1));
        Assert.Equal(miniLm.Tokenizer.SeparatorTokenId, kept[^1]);
    }

    [Fact]
    public async Task EmbedAsync_MoreInputsThanAllowed_Is400()
    {
        var model = miniLm.Open(limits: new EmbeddingsOptions { MaxInputsPerCall = 2 });

        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.EmbedAsync(Inputs("a", "b", "c")));

        Assert.Contains("3 inputs; at most 2", e.Message);
        Assert.Contains("Embeddings:MaxInputsPerCall", e.Message);
    }

    [Fact]
    public async Task EmbedAsync_TextOverTheCharacterLimit_Is400()
    {
        var model = miniLm.Open(limits: new EmbeddingsOptions { MaxCharactersPerInput = 10 });

        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.EmbedAsync(Inputs("short", "far longer than ten")));

        Assert.Contains("input[1] has 19 characters; at most 10", e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30522)]
    public async Task EmbedAsync_TokenIdOutsideTheVocabulary_Is400(int id)
    {
        var model = miniLm.Open();

        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.EmbedAsync([EmbeddingInput.OfTokens([101, id, 102])]));

        Assert.Contains($"token id {id} at position 1", e.Message);
        Assert.Contains("ids 0 to 30521", e.Message);
    }

    [Fact]
    public async Task EmbedAsync_NoInputsOrAnEmptyTokenList_Is400()
    {
        var model = miniLm.Open();

        await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.EmbedAsync([]));
        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.EmbedAsync([EmbeddingInput.OfTokens([])]));
        Assert.Contains("input[0] is an empty list of token ids", e.Message);
    }

    [Fact]
    public async Task EmbedAsync_CallerCancelledBeforeItsRun_IsCancelledAndOthersStillGetTheirVectors()
    {
        var model = miniLm.Open();
        using var gone = new CancellationTokenSource();
        gone.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.EmbedAsync(Inputs(Texts[0]), gone.Token));
        var batch = await model.EmbedAsync(Inputs(Texts[0]));

        Assert.True(MiniLmEncoder.MaxDifference(miniLm.Reference(Texts[0]), batch.Vectors[0]) <= Tolerance);
    }

    [Fact]
    public void Open_MiniLm_DescribesItsVectors()
    {
        var model = miniLm.Open();

        Assert.Equal(new EmbeddingModelInfo(SampleEmbeddingModel.Dimensions, SampleEmbeddingModel.MaxTokens, "mean", Normalize: true, Truncate: true), model.Info);
        Assert.Equal(MiniLmEncoder.Key, model.Key);
        Assert.Equal(model.Encoder.SizeBytes, model.SizeBytes);
        Assert.False(model.OnGpu);
    }

    [Fact]
    public async Task EmbedAsync_ClsPoolingWithoutNormalisation_IsTheFirstTokensState()
    {
        var model = miniLm.Open(new EmbeddingConfig { Pooling = "cls", Normalize = false });
        var ids = miniLm.Tokenizer.EncodeToIds(Texts[1]);

        var vector = (await model.EmbedAsync(Inputs(Texts[3], Texts[1]))).Vectors[1];

        Assert.Equal("cls", model.Info.Pooling);
        Assert.False(model.Info.Normalize);
        Assert.True(MiniLmEncoder.MaxDifference(miniLm.States(ids)[..SampleEmbeddingModel.Dimensions], vector) <= Tolerance);
    }

    [Fact]
    public void IsEmbeddingFolder_TokenizerBesideTheModelOrTheSection_IsAnEmbeddingModel()
    {
        Assert.True(EmbeddingModel.IsEmbeddingFolder(SampleEmbeddingModel.VersionFolder, Serverless.Core.Repository.ModelConfig.Default));
        var iris = Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1");
        Assert.False(EmbeddingModel.IsEmbeddingFolder(iris, Serverless.Core.Repository.ModelConfig.Default));
        Assert.True(EmbeddingModel.IsEmbeddingFolder(iris, new Serverless.Core.Repository.ModelConfig { Embedding = new EmbeddingConfig() }));
    }
}
