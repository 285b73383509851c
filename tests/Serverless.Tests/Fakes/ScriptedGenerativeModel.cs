using System.Runtime.CompilerServices;
using Serverless.Core.Cache;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;

namespace Serverless.Tests.Fakes;

/// <summary>
/// A generator for tests of what surrounds one: prompts are one token per character, and it generates
/// <see cref="TokensToGenerate"/> tokens "t0 ", "t1 ", ... (or up to max_tokens), each after <see cref="StepGate"/> lets it.
/// </summary>
internal sealed class ScriptedGenerativeModel(ModelKey key, int contextLength = 64) : IGenerativeModel
{
    public int TokensToGenerate { get; set; } = 3;

    /// <summary>Awaited before each token; a test holds it to catch a generation mid-way.</summary>
    public Func<int, Task> StepGate { get; set; } = _ => Task.CompletedTask;

    public List<GenerationOptions> Started { get; } = [];

    public ModelKey Key { get; } = key;

    public ModelKind Kind => ModelKind.Generative;

    public ModelConfig Config => ModelConfig.Default;

    public long SizeBytes => 100;

    public bool OnGpu => false;

    public TimeSpan LoadTime => TimeSpan.Zero;

    public string ContentId => "etag";

    public LoadedModel? Graph => null;

    public ModelLifetime Lifetime { get; } = new(() => { });

    public GenerativeModelInfo Info => new(contextLength, "decoder", HasChatTemplate: true);

    public IReadOnlyList<int> Tokenize(GenerationInput input) =>
        (input.Prompt ?? string.Concat(input.Messages!.Select(m => m.Content))).Select(c => (int)c).ToList();

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(IReadOnlyList<int> promptTokens, GenerationOptions options, GenerationProgress progress,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        lock (Started)
        {
            Started.Add(options);
        }
        var count = Math.Min(TokensToGenerate, options.MaxTokens);
        for (var i = 0; i < count; i++)
        {
            await StepGate(i).WaitAsync(cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            progress.AddCompletionTokens(1);
            yield return new GeneratedText($"t{i} ", 1);
        }
        yield return new GenerationFinished(count < options.MaxTokens ? FinishReason.Stop : FinishReason.Length, new TokenUsage(promptTokens.Count, count));
    }
}
