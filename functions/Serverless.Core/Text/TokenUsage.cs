namespace Serverless.Core.Text;

/// <summary>
/// Tokens a text call used, the unit it is billed in: <see cref="PromptTokens"/> are the ids actually fed to the model
/// (special tokens and the chat template included), <see cref="CompletionTokens"/> the ids it generated.
/// </summary>
public readonly record struct TokenUsage(long PromptTokens, long CompletionTokens)
{
    public long TotalTokens => PromptTokens + CompletionTokens;

    public static TokenUsage operator +(TokenUsage a, TokenUsage b) =>
        new(a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens);
}
