namespace Serverless.Core.Text.Generation;

/// <summary>What a generation starts from: a plain prompt (completions) or chat messages the model's chat template turns into one.</summary>
public sealed record GenerationInput
{
    public string? Prompt { get; init; }

    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    public static GenerationInput OfPrompt(string prompt) => new() { Prompt = prompt };

    public static GenerationInput OfChat(IReadOnlyList<ChatMessage> messages) => new() { Messages = messages };
}
