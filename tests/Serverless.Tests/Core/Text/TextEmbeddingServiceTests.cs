using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Text;

/// <summary>The metered embeddings call around a counting encoder, in the real registry and metering.</summary>
public sealed class TextEmbeddingServiceTests : IDisposable
{
    private static readonly ModelKey Key = new("encoder", 2);

    private readonly FakeModelRepository _repository = new();
    private readonly RecordingUsageLedger _ledger = new();
    private readonly CountingEmbeddingModel _model = new(Key, dimensions: 4);
    private readonly ModelCache _cache;
    private readonly TextEmbeddingService _service;

    public TextEmbeddingServiceTests()
    {
        _repository.Versions["encoder"] = [2];
        _cache = TestModelCaches.Create(_repository, new FakeSessionFactory(), Options.Create(new ModelsOptions()), TimeProvider.System, null, embeddings: new OneEncoder(_model), generators: null);
        var text = TestMeteredText.Create(_repository, _ledger, new ModelPricing { Per1000InputTokens = 1m });
        _service = new TextEmbeddingService(_cache, text, Options.Create(new EmbeddingsOptions { MaxInputsPerCall = 3 }));
    }

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task EmbedAsync_TwoTexts_UsageIsTheTokensFedAndEqualsTheOneRecord()
    {
        var result = await _service.EmbedAsync(Caller(), new EmbeddingRequest("encoder", [EmbeddingInput.OfText("abc"), EmbeddingInput.OfText("hello")], "end-user-7"));

        Assert.Equal((Key, 12L), (result.Key, result.Usage.PromptTokens));
        var record = Assert.Single(_ledger.Records);
        Assert.Equal((200, 12L, 0L, 2L, "end-user-7"), (record.Status, record.InputTokens, record.OutputTokens, record.Rows, record.RequestId));
        Assert.Equal(0.012m, record.Cost);
    }

    [Fact]
    public async Task EmbedAsync_DimensionsOtherThanTheModels_Is400BeforeAnythingIsEmbeddedOrBilled()
    {
        var refusal = await Assert.ThrowsAsync<InvalidInferenceInputException>(() =>
            _service.EmbedAsync(Caller(), new EmbeddingRequest("encoder", [EmbeddingInput.OfText("abc")]) { Dimensions = 8 }));

        Assert.Contains("4-dimensional", refusal.Message);
        Assert.Equal(0, _model.Embedded);
        var record = Assert.Single(_ledger.Records);
        Assert.Equal((400, 0m), (record.Status, record.Cost));
    }

    [Fact]
    public async Task EmbedAsync_MoreInputsThanAllowed_Is400BeforeAnyIsTokenized()
    {
        var inputs = Enumerable.Range(0, 4).Select(i => EmbeddingInput.OfText("t" + i)).ToList();

        var refusal = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => _service.EmbedAsync(Caller(), new EmbeddingRequest("encoder", inputs)));

        Assert.Contains("Embeddings:MaxInputsPerCall", refusal.Message);
        Assert.Equal(0, _model.Tokenized);
    }

    [Fact]
    public async Task EmbedAsync_ATensorModelsName_Is400NamingItsKind()
    {
        _repository.Versions["iris"] = [1];

        var refusal = await Assert.ThrowsAsync<WrongModelKindException>(() => _service.EmbedAsync(Caller(), new EmbeddingRequest("iris", [EmbeddingInput.OfText("x")])));

        Assert.Equal(400, refusal.StatusCode);
        Assert.Contains("not an embedding model", refusal.Message);
    }

    private static CallerIdentity Caller() => new("caller-1", "key-1", CallerPlan.Unlimited);

    /// <summary>Every folder but iris's is this encoder.</summary>
    private sealed class OneEncoder(IEmbeddingModel model) : IEmbeddingModelFactory
    {
        public bool Recognizes(string versionDirectory, ModelConfig config) => !versionDirectory.Contains("/iris/");

        public IEmbeddingModel Open(LoadedModel encoder, string versionDirectory, ModelConfig config)
        {
            encoder.Lifetime.Retire();
            return model;
        }
    }
}
