using Serverless.Core.Infrastructure.GenAI;
using Serverless.Core.Repository;
using Serverless.Core.Text.Generation;
using Serverless.SampleModels.Text;

namespace Serverless.Tests.Core.Text.Generation;

/// <summary>A generation cancelled during a long prefill, on a decoder large enough that the prefill takes a while.</summary>
public sealed class GenAiPrefillCancellationTests : IDisposable
{
    // 8 layers of 512 wide: a prefill of ~1000 tokens is seconds of work on a CPU core.
    private static readonly DecoderDimensions Large = DecoderDimensions.Large;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "serverless-genai-large-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task GenerateAsync_CancelledDuringPrefill_InterruptsItAndBillsNothing()
    {
        var files = GenAiFolderWriter.Write(_folder, Large, seed: 1);
        using var model = GenAiGenerativeModel.Open(new ModelKey("large", 1), _folder, ModelConfig.Default, files.Values.Sum(f => (long)f.Length));
        var prompt = Enumerable.Range(0, Large.ContextLength - 8).Select(i => 65 + i % 26).ToArray();
        var progress = new GenerationProgress();
        using var cancel = new CancellationTokenSource();

        var generation = model.GenerateAsync(prompt, new GenerationOptions { MaxTokens = 4, Temperature = 0 }, progress, cancel.Token).GetAsyncEnumerator();
        var first = generation.MoveNextAsync().AsTask();
        // The prefill and the first token are one step: it is running (or about to) when the token fires. Fired from a
        // thread of its own, not CancelAfter's pool timer: with the whole suite running, the pool's timer callback came
        // after the prefill had ended (the step then finished normally and the test failed in CI, never alone).
        var canceller = new Thread(() =>
        {
            Thread.Sleep(20);
            cancel.Cancel();
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        canceller.Start();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await generation.DisposeAsync();

        // Had the prefill run to its end, its first token would have been counted: terminate_session cut it short.
        Assert.Equal(0, progress.CompletionTokens);
        // And the model still generates afterwards (the terminated state belonged to that generation's generator).
        var events = new List<GenerationEvent>();
        await foreach (var e in model.GenerateAsync(prompt[..16], new GenerationOptions { MaxTokens = 2, Temperature = 0 }, new GenerationProgress()))
        {
            events.Add(e);
        }

        Assert.IsType<GenerationFinished>(events[^1]);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
