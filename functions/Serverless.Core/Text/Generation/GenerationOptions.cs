namespace Serverless.Core.Text.Generation;

/// <summary>
/// How to sample one generation. Null means the model's default (its genai_config.json search section, then OpenAI's:
/// temperature 1, top_p 1). <see cref="Temperature"/> 0 is greedy; with a <see cref="Seed"/> sampling repeats.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (prompt not counted).</summary>
    public required int MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public long? Seed { get; init; }

    /// <summary>Text that ends the generation when produced; never emitted, even when it spans tokens.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];
}
