namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// The vectors of one call's inputs, in input order, with the tokens each input fed the encoder (what is billed) and
/// the compute time of the runs that produced them (this call's share of a shared batch).
/// </summary>
public sealed record EmbeddingBatch(IReadOnlyList<float[]> Vectors, IReadOnlyList<int> TokenCounts, TimeSpan ComputeTime)
{
    public long TotalTokens => TokenCounts.Sum(c => (long)c);
}
