namespace Serverless.Core.Text.Generation;

/// <summary>
/// Tokens generated so far by one generation, updated by the generator as it goes, so a generation that is cancelled
/// (the client went away) or fails mid-way is still billed for what it generated.
/// </summary>
public sealed class GenerationProgress
{
    private long _completionTokens;

    public long CompletionTokens => Interlocked.Read(ref _completionTokens);

    public void AddCompletionTokens(int count) => Interlocked.Add(ref _completionTokens, count);
}
