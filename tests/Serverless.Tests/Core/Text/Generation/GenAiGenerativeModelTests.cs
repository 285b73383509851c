using Serverless.Core.Errors;
using Serverless.Core.Infrastructure.GenAI;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;
using Serverless.SampleModels.Text;

namespace Serverless.Tests.Core.Text.Generation;

public sealed class GenAiGenerativeModelTests(TinyDecoderFolder tiny) : IClassFixture<TinyDecoderFolder>
{
    private const string Prompt = "Hello serverless world, how are you?";
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 40, Temperature = 0 };

    [Fact]
    public void Info_ComesFromTheFolder()
    {
        Assert.Equal(new GenerativeModelInfo(TinyDecoderFolder.Dimensions.ContextLength, "decoder", HasChatTemplate: true), tiny.Model.Info);
        Assert.False(tiny.Model.OnGpu);
        Assert.True(tiny.Model.SizeBytes > 100_000);
        Assert.True(GenAiGenerativeModel.IsGenAiFolder(tiny.Directory));
        Assert.False(GenAiGenerativeModel.IsGenAiFolder(Path.GetTempPath()));
    }

    [Fact]
    public async Task GenerateAsync_Greedy_EqualsGenAisOwnLoopTokenForToken()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));

        var (texts, finished) = await RunAsync(prompt, Greedy);

        var (tokens, referenceTexts) = GenAiGreedyReference.Greedy(tiny.Directory, prompt, Greedy.MaxTokens);
        Assert.Equal(referenceTexts, texts.Select(t => t.Text));
        Assert.All(texts, t => Assert.Equal(1, t.Tokens));
        Assert.Equal(new TokenUsage(prompt.Count, tokens.Length), finished.Usage);
    }

    [Fact]
    public async Task GenerateAsync_StreamedDeltas_ConcatenateToTheDecodedSequence()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));

        var (texts, _) = await RunAsync(prompt, Greedy);

        var (tokens, _) = GenAiGreedyReference.Greedy(tiny.Directory, prompt, Greedy.MaxTokens);
        using var model = new Microsoft.ML.OnnxRuntimeGenAI.Model(tiny.Directory);
        using var tokenizer = new Microsoft.ML.OnnxRuntimeGenAI.Tokenizer(model);
        Assert.Equal(tokenizer.Decode(tokens), string.Concat(texts.Select(t => t.Text)));
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentGenerations_EachEqualsItsGenerationAlone()
    {
        string[] prompts = ["Hello serverless world", "how are you?", "Tell me", "The world is"];
        var alone = new List<string>();
        foreach (var prompt in prompts)
        {
            alone.Add(await TextAsync(tiny.Model.Tokenize(GenerationInput.OfPrompt(prompt)), Greedy));
        }

        var together = await Task.WhenAll(prompts.Select(p => Task.Run(() => TextAsync(tiny.Model.Tokenize(GenerationInput.OfPrompt(p)), Greedy))));

        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task GenerateAsync_TemperatureZero_IsDeterministic()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));

        var first = await TextAsync(prompt, Greedy with { Seed = 1 });
        var second = await TextAsync(prompt, Greedy with { Seed = 2 });

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task GenerateAsync_Seed_RepeatsASampleAndAnotherSeedDiffers()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));
        var sampled = new GenerationOptions { MaxTokens = 40, Temperature = 1.5, TopK = 300, Seed = 42 };

        var first = await TextAsync(prompt, sampled);
        var again = await TextAsync(prompt, sampled);
        var other = await TextAsync(prompt, sampled with { Seed = 43 });

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual(await TextAsync(prompt, Greedy), first);
    }

    [Fact]
    public async Task GenerateAsync_StopStringSpanningTokens_EndsBeforeItAndNeverEmitsIt()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));
        var (free, _) = await RunAsync(prompt, Greedy);
        // The last character of one token and the first of the next (both non-empty, well into the output).
        var boundary = Enumerable.Range(5, free.Count - 6).First(i => free[i].Text.Length > 0 && free[i + 1].Text.Length > 0);
        var stop = free[boundary].Text[^1..] + free[boundary + 1].Text[..1];
        var full = string.Concat(free.Select(t => t.Text));

        var (texts, finished) = await RunAsync(prompt, Greedy with { Stop = ["no such text", stop] });

        var emitted = string.Concat(texts.Select(t => t.Text));
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], emitted);
        Assert.DoesNotContain(stop, emitted, StringComparison.Ordinal);
        Assert.Equal(FinishReason.Stop, finished.Reason);
        Assert.Equal(texts.Sum(t => t.Tokens), finished.Usage.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_MaxTokens_FinishesWithLengthAndExactUsage()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));
        var progress = new GenerationProgress();

        var (texts, finished) = await RunAsync(prompt, Greedy with { MaxTokens = 5 }, progress);

        Assert.Equal(new GenerationFinished(FinishReason.Length, new TokenUsage(prompt.Count, 5)), finished);
        Assert.Equal(5, texts.Sum(t => t.Tokens));
        Assert.Equal(5, progress.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_MaxTokensPastTheContext_StopsAtTheContextLength()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));

        var (_, finished) = await RunAsync(prompt, Greedy with { MaxTokens = 10_000 });

        Assert.True(finished.Usage.TotalTokens <= TinyDecoderFolder.Dimensions.ContextLength);
        if (finished.Reason == FinishReason.Length)
        {
            Assert.Equal(TinyDecoderFolder.Dimensions.ContextLength, finished.Usage.TotalTokens);
        }
    }

    [Fact]
    public async Task GenerateAsync_CancelledMidway_StopsTheLoopAndThrowsWithProgressFinal()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt("Hi"));
        var progress = new GenerationProgress();
        using var cancel = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in tiny.Model.GenerateAsync(prompt, Greedy with { MaxTokens = 100 }, progress, cancel.Token))
            {
                Assert.IsType<GeneratedText>(e);
                if (++received == 3)
                {
                    cancel.Cancel();
                }
            }
        });

        // A step runs only when the reader asks for the next event, so the loop generated exactly what was delivered,
        // and it had ended (nothing left running) when the exception surfaced.
        Assert.Equal(3, progress.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_ReaderLeavesEarly_LoopStopsAndModelStaysUsable()
    {
        var prompt = tiny.Model.Tokenize(GenerationInput.OfPrompt(Prompt));
        var progress = new GenerationProgress();

        await foreach (var _ in tiny.Model.GenerateAsync(prompt, Greedy with { MaxTokens = 100 }, progress))
        {
            break;
        }

        Assert.Equal(1, progress.CompletionTokens);
        Assert.Equal(await TextAsync(prompt, Greedy), await TextAsync(prompt, Greedy));
    }

    [Fact]
    public async Task GenerateAsync_EndOfSequenceToken_FinishesWithStopAndCountsIt()
    {
        // The same folder, but the decoder's logit bias makes <|im_end|> the certain next token.
        var folder = Path.Combine(tiny.Directory, "eos");
        GenAiFolderWriter.Write(folder, TinyDecoderFolder.Dimensions, TinyChatSample.Seed);
        var tokenizer = TinyDecoderFolder.Tokenizer;
        var bias = tokenizer.PrintableBias();
        bias[tokenizer.MessageEndId] = 1000;
        File.WriteAllBytes(Path.Combine(folder, GenAiFolderWriter.DecoderFile), TinyDecoder.Create(TinyDecoderFolder.Dimensions, tokenizer.VocabSize, TinyChatSample.Seed, bias));
        using var model = GenAiGenerativeModel.Open(TinyDecoderFolder.Key, folder, Serverless.Core.Repository.ModelConfig.Default, 1);
        var prompt = model.Tokenize(GenerationInput.OfChat([new("user", "Hi")]));

        var events = new List<GenerationEvent>();
        await foreach (var e in model.GenerateAsync(prompt, Greedy, new GenerationProgress()))
        {
            events.Add(e);
        }

        Assert.Equal([new GeneratedText("", 1), new GenerationFinished(FinishReason.Stop, new TokenUsage(prompt.Count, 1))], events);
    }

    [Fact]
    public async Task GenerateAsync_PromptFillingTheContext_Is400()
    {
        var prompt = Enumerable.Repeat(65, TinyDecoderFolder.Dimensions.ContextLength).ToArray();

        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => RunAsync(prompt, Greedy));

        Assert.Contains($"{TinyDecoderFolder.Dimensions.ContextLength}", e.Message);
    }

    [Fact]
    public async Task GenerateAsync_TokenOutsideTheVocabulary_Is400()
    {
        var e = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => RunAsync([1, TinyDecoderFolder.Tokenizer.VocabSize], Greedy));

        Assert.Contains("vocabulary", e.Message);
    }

    [Fact]
    public void Tokenize_Chat_AppliesTheTemplateWithItsSpecialTokens()
    {
        var ids = tiny.Model.Tokenize(GenerationInput.OfChat([new("system", "Be brief."), new("user", "Hi there")]));

        var tokenizer = TinyDecoderFolder.Tokenizer;
        Assert.Equal(tokenizer.MessageStartId, ids[0]);
        Assert.Equal(3, ids.Count(id => id == tokenizer.MessageStartId));
        Assert.Equal(2, ids.Count(id => id == tokenizer.MessageEndId));
        Assert.True(ids.Count > tiny.Model.Tokenize(GenerationInput.OfPrompt("Be brief.Hi there")).Count);
    }

    [Theory]
    [InlineData("robot", "Hi", "role 'robot'")]
    [InlineData("", "Hi", "role is empty")]
    [InlineData("user", "", "content is empty")]
    public void Tokenize_BadMessage_Is400(string role, string content, string expected)
    {
        var e = Assert.Throws<InvalidInferenceInputException>(() => tiny.Model.Tokenize(GenerationInput.OfChat([new("system", "Be brief."), new(role, content)])));

        Assert.Equal(400, e.StatusCode);
        Assert.Contains("messages[1]", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Tokenize_EmptyChatOrPrompt_Is400()
    {
        Assert.Contains("messages is empty", Assert.Throws<InvalidInferenceInputException>(() => tiny.Model.Tokenize(GenerationInput.OfChat([]))).Message);
        Assert.Contains("prompt is empty", Assert.Throws<InvalidInferenceInputException>(() => tiny.Model.Tokenize(GenerationInput.OfPrompt(""))).Message);
    }

    private async Task<string> TextAsync(IReadOnlyList<int> prompt, GenerationOptions options) =>
        string.Concat((await RunAsync(prompt, options)).Texts.Select(t => t.Text));

    private async Task<(List<GeneratedText> Texts, GenerationFinished Finished)> RunAsync(IReadOnlyList<int> prompt, GenerationOptions options, GenerationProgress? progress = null)
    {
        var texts = new List<GeneratedText>();
        GenerationFinished? finished = null;
        await foreach (var e in tiny.Model.GenerateAsync(prompt, options, progress ?? new GenerationProgress()))
        {
            Assert.Null(finished);
            switch (e)
            {
                case GeneratedText text:
                    texts.Add(text);
                    break;
                case GenerationFinished end:
                    finished = end;
                    break;
            }
        }

        Assert.NotNull(finished);
        return (texts, finished);
    }
}
