using Serverless.Core.Repository;

namespace Serverless.Core.Inference;

/// <summary>Opens a model file; the seam between the cache and ONNX Runtime.</summary>
public interface IModelSessionFactory
{
    /// <exception cref="Errors.ModelLoadException">The file cannot be opened or the execution provider is unavailable.</exception>
    IModelSession Open(ModelKey key, ModelFile file, ModelConfig config);
}
