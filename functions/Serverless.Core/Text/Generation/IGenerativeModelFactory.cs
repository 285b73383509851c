using Serverless.Core.Repository;

namespace Serverless.Core.Text.Generation;

/// <summary>How the loader recognises a generative model's version folder (ONNX Runtime GenAI's layout) and opens it.</summary>
public interface IGenerativeModelFactory
{
    bool Recognizes(string versionDirectory);

    /// <summary>Opens the generator of the fetched version (<paramref name="file"/>: its folder, size and content id).</summary>
    IGenerativeModel Open(ModelKey key, ModelFile file, ModelConfig config);
}
