namespace Serverless.Core.Text.Embeddings;

/// <summary>What metadata, /config and /v1/models say of an embedding model.</summary>
/// <param name="Dimensions">Length of every vector it returns.</param>
/// <param name="MaxTokens">Most tokens (special tokens included) one input may feed the encoder.</param>
/// <param name="Pooling"><c>mean</c> or <c>cls</c>.</param>
/// <param name="Normalize">Whether vectors are L2-normalised.</param>
/// <param name="Truncate">Whether an input over <paramref name="MaxTokens"/> is cut (true) or refused with a 400 (false).</param>
public sealed record EmbeddingModelInfo(int Dimensions, int MaxTokens, string Pooling, bool Normalize, bool Truncate);
