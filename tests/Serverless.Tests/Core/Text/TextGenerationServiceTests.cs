using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Text;

/// <summary>
/// The metered generation call around a scripted generator, in the real registry and metering: what is refused before
/// the first token, and that the one record of a call says exactly the tokens its stream reported.
/// </summary>
public sealed class TextGenerationServiceTests : IDisposable
{
    private static readonly ModelKey Key = new("chat", 1);

    private readonly FakeModelRepository _repository = new();
    private readonly RecordingUsageLedger _ledger = new();
    private readonly ScriptedGenerativeModel _model = new(Key, contextLength: 64);
    private readonly ModelCache _cache;
    private readonly TextGenerationService _service;

    public TextGenerationServiceTests()
    {
        _repository.Versions["chat"] = [1];
        _cache = TestModelCaches.Create(_repository, new FakeSessionFactory(), Options.Create(new ModelsOptions()), TimeProvider.System, null, embeddings: null, generators: new OneGenerator(_model));
        var text = TestMeteredText.Create(_repository, _ledger, new ModelPricing { Per1000InputTokens = 1m, Per1000OutputTokens = 2m });
        _service = new TextGenerationService(_cache, text, new GenerationSlots(Options.Create(new GenerationSettings { MaxConcurrentPerModel = 2 })));
    }

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task StartAsync_PromptPlusMaxTokensOverTheContext_Is400NamingBothNumbers()
    {
        var refusal = await Assert.ThrowsAsync<InvalidInferenceInputException>(() =>
            _service.StartAsync(Caller(), Request(new string('x', 60), maxTokens: 10)));

        Assert.Contains("60 tokens", refusal.Message);
        Assert.Contains("'max_tokens' is 10", refusal.Message);
        Assert.Contains("context length of 64", refusal.Message);
        var record = Assert.Single(_ledger.Records);
        Assert.Equal((400, UsageOutcome.Failure, 0m), (record.Status, record.Outcome, record.Cost));
    }

    [Fact]
    public async Task Stream_ReadToTheEnd_IsBilledOnceForExactlyTheTokensItReported()
    {
        _model.TokensToGenerate = 3;
        TokenUsage reported = default;
        await using (var stream = await _service.StartAsync(Caller(), Request("hello", maxTokens: 8)))
        {
            await foreach (var item in stream.Events)
            {
                if (item.Event is GenerationFinished finished)
                {
                    reported = finished.Usage;
                }
            }
            Assert.Equal(stream.Usage, reported);
        }

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((200, 5L, 3L), (record.Status, record.InputTokens, record.OutputTokens));
        Assert.Equal(0.005m + 0.006m, record.Cost);
    }

    [Fact]
    public async Task Dispose_WhileGenerating_StopsTheLoopAndBills499ForTheTokensGeneratedSoFar()
    {
        _model.TokensToGenerate = 50;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _model.StepGate = step => step < 2 ? Task.CompletedTask : held.Task;
        var stream = await _service.StartAsync(Caller(), Request("hi", maxTokens: 50));
        var received = 0;
        await foreach (var item in stream.Events)
        {
            if (item.Event is GeneratedText && ++received == 2)
            {
                break;
            }
        }

        await stream.DisposeAsync();

        var record = Assert.Single(_ledger.Records);
        Assert.Equal((499, UsageOutcome.Success, 2L, 2L), (record.Status, record.Outcome, record.InputTokens, record.OutputTokens));
        Assert.False(held.Task.IsCompleted);
    }

    [Fact]
    public async Task StartAsync_AllGenerationSlotsTaken_Is429WithRetryAfterAndRecordedRejected()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _model.StepGate = _ => held.Task;
        await using var first = await _service.StartAsync(Caller(), Request("a", maxTokens: 4) with { N = 2 });

        var busy = await Assert.ThrowsAsync<GenerationsBusyException>(() => _service.StartAsync(Caller(), Request("b", maxTokens: 4)));

        Assert.Equal((429, 1), (busy.StatusCode, busy.RetryAfterSeconds));
        var record = Assert.Single(_ledger.Records);
        Assert.Equal((429, UsageOutcome.Rejected), (record.Status, record.Outcome));
    }

    [Fact]
    public async Task StartAsync_NChoicesWithASeed_GivesEachChoiceItsOwnRepeatableSeed()
    {
        await using (var stream = await _service.StartAsync(Caller(), Request("seed", maxTokens: 2) with { N = 2 }))
        {
            var choices = new HashSet<int>();
            await foreach (var item in stream.Events)
            {
                choices.Add(item.Index);
            }
            Assert.Equal([0, 1], choices.Order());
        }

        Assert.Equal([7L, 8L], _model.Started.Select(o => o.Seed!.Value).Order());
        var record = Assert.Single(_ledger.Records);
        Assert.Equal((8L, 4L), (record.InputTokens, record.OutputTokens));
    }

    [Fact]
    public async Task StartAsync_ModelFieldNotANameOrNameColonVersion_Is400()
    {
        var refusal = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => _service.StartAsync(Caller(), Request("x", 1) with { Model = "chat:latest" }));

        Assert.Contains("name:version", refusal.Message);
    }

    private static GenerationRequest Request(string prompt, int maxTokens) =>
        new("chat", [GenerationInput.OfPrompt(prompt)], new GenerationOptions { MaxTokens = maxTokens, Seed = 7 });

    private static CallerIdentity Caller() => new("caller-1", "key-1", CallerPlan.Unlimited);

    private sealed class OneGenerator(IGenerativeModel model) : IGenerativeModelFactory
    {
        public bool Recognizes(string versionDirectory) => true;

        public IGenerativeModel Open(ModelKey key, ModelFile file, ModelConfig config) => model;
    }
}
