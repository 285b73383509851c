using Serverless.Core.Cache;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// A loaded text encoder: tokenizes on the server, batches concurrent inputs into padded runs of its encoder graph
/// (through the graph's one run path), pools and normalises. Held by the registry like any loaded model.
/// </summary>
public interface IEmbeddingModel : ILoadedModel
{
    EmbeddingModelInfo Info { get; }

    /// <summary>Token ids the input would feed the encoder (special tokens included, after truncation); throws a 400 <see cref="Errors.ServerlessException"/> when the input breaks a bound.</summary>
    IReadOnlyList<int> Tokenize(EmbeddingInput input);

    /// <summary>Embeds <paramref name="inputs"/>; the same input gives the same vector alone, in a list or beside other callers' inputs.</summary>
    Task<EmbeddingBatch> EmbedAsync(IReadOnlyList<EmbeddingInput> inputs, CancellationToken cancellationToken = default);
}
