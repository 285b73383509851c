using Serverless.Core.Batching;
using Serverless.Core.Repository;

namespace Serverless.Core.Inference;

/// <summary>Opens a model file; the seam between the model loader and ONNX Runtime.</summary>
public interface IModelSessionFactory
{
    /// <summary>The provider a session of this model would run on: config.json's, else the server's, with <c>auto</c> resolved.</summary>
    /// <exception cref="Errors.ModelLoadException">The requested provider is unknown or unavailable.</exception>
    ExecutionProvider ProviderFor(ModelKey key, ModelConfig config);

    /// <param name="layout">Decided by the loader: the provider (from <see cref="ProviderFor"/>) and the threads each Run gets.</param>
    /// <exception cref="Errors.ModelLoadException">The file cannot be opened or the execution provider is unavailable.</exception>
    IModelSession Open(ModelKey key, ModelFile file, ModelConfig config, BatchingLayout layout);
}
