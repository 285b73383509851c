using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>The answer to an embeddings call; <see cref="Usage"/> equals what the ledger recorded for it.</summary>
public sealed record EmbeddingResult(ModelKey Key, IReadOnlyList<float[]> Vectors, TokenUsage Usage);
