namespace Serverless.Core.Text.Generation;

/// <summary>What a running generation reports, in order: text as it is generated, then exactly one <see cref="GenerationFinished"/>.</summary>
public abstract record GenerationEvent;

/// <summary>New text (possibly empty while a stop string or a multi-byte character is still undecided) and the tokens generated for it.</summary>
public sealed record GeneratedText(string Text, int Tokens) : GenerationEvent;

/// <summary>The end: why, and the generation's exact token counts.</summary>
public sealed record GenerationFinished(FinishReason Reason, TokenUsage Usage) : GenerationEvent;
