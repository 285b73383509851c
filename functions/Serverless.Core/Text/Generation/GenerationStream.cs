using Serverless.Core.Repository;

namespace Serverless.Core.Text.Generation;

/// <summary>
/// An admitted, checked generation call: its prompt is tokenized and its quota reserved, so anything wrong with the
/// request has been thrown before the first event. Enumerate <see cref="Events"/> once; dispose it when done (or when
/// the client went away): disposing stops any generation still running and bills exactly the tokens generated.
/// </summary>
public abstract class GenerationStream : IAsyncDisposable
{
    public abstract ModelKey Key { get; }

    /// <summary>Prompt tokens of all inputs (billed once per choice, as OpenAI does for n).</summary>
    public abstract long PromptTokens { get; }

    public abstract IAsyncEnumerable<ChoiceEvent> Events { get; }

    /// <summary>Tokens used so far; after the last event, the call's exact usage (what the ledger records).</summary>
    public abstract TokenUsage Usage { get; }

    public abstract ValueTask DisposeAsync();
}
