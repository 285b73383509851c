namespace Serverless.Core.Text.Embeddings;

/// <summary>One text to embed, as text (tokenized by the server) or as token ids the caller tokenized itself.</summary>
public sealed record EmbeddingInput
{
    public string? Text { get; init; }

    public IReadOnlyList<int>? TokenIds { get; init; }

    public static EmbeddingInput OfText(string text) => new() { Text = text };

    public static EmbeddingInput OfTokens(IReadOnlyList<int> ids) => new() { TokenIds = ids };
}
