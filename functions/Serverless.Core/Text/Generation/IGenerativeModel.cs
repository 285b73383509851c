using Serverless.Core.Cache;

namespace Serverless.Core.Text.Generation;

/// <summary>
/// A loaded text generator (an ONNX Runtime GenAI folder). Tokenizing is separate from generating so a call can be
/// checked (context length, bounds) and its quota reserved before any token is generated.
/// </summary>
public interface IGenerativeModel : ILoadedModel
{
    GenerativeModelInfo Info { get; }

    /// <summary>The prompt's token ids (the chat template applied to messages); throws a 400 <see cref="Errors.ServerlessException"/> for an unknown role or an empty chat.</summary>
    IReadOnlyList<int> Tokenize(GenerationInput input);

    /// <summary>
    /// Generates from <paramref name="promptTokens"/>: text as it is produced, then one <see cref="GenerationFinished"/>.
    /// Cancelling stops the loop within one token step (a long prefill is interrupted too); the enumerator then throws
    /// <see cref="OperationCanceledException"/> after <see cref="GenerationProgress.CompletionTokens"/> holds what was generated.
    /// </summary>
    IAsyncEnumerable<GenerationEvent> GenerateAsync(IReadOnlyList<int> promptTokens, GenerationOptions options, GenerationProgress progress,
        CancellationToken cancellationToken = default);
}
