using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>The loader's way to <see cref="EmbeddingModel"/>: a folder with a tokenizer (or an embedding section) is an encoder.</summary>
public sealed class EmbeddingModelFactory(IOptions<EmbeddingsOptions> options) : IEmbeddingModelFactory
{
    public bool Recognizes(string versionDirectory, ModelConfig config) => EmbeddingModel.IsEmbeddingFolder(versionDirectory, config);

    public IEmbeddingModel Open(LoadedModel encoder, string versionDirectory, ModelConfig config) =>
        EmbeddingModel.Open(encoder, versionDirectory, options.Value);
}
