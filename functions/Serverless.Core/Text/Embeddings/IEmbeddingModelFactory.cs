using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>How the loader recognises an embedding model's version folder and wraps its opened encoder graph.</summary>
public interface IEmbeddingModelFactory
{
    /// <summary>Whether the fetched version folder (with its model's config) is a text encoder: a tokenizer beside the graph, or an embedding section in config.json.</summary>
    bool Recognizes(string versionDirectory, ModelConfig config);

    /// <summary>Wraps <paramref name="encoder"/> (opened and scheduled like any graph) with its tokenizer and pooling; it owns the encoder from then on.</summary>
    IEmbeddingModel Open(LoadedModel encoder, string versionDirectory, ModelConfig config);
}
