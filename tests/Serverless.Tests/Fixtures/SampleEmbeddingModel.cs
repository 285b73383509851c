using Serverless.Core.Repository;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// The sample repository's embedding model, all-MiniLM-L6-v2, where the build extracts it from its NuGet package
/// (models/SampleEmbeddingModel.targets): building the function app, as every test project does, puts it there.
/// </summary>
public static class SampleEmbeddingModel
{
    public const string Name = "all-minilm-l6-v2";

    public const int Dimensions = 384;

    public const int MaxTokens = 256;

    public static string VersionFolder => Path.Combine(RepositoryPaths.SampleModels, Name, "1");

    public static string ModelPath => Path.Combine(VersionFolder, ModelRepositoryLayout.ModelFileName);

    public static string VocabularyPath => Path.Combine(VersionFolder, "vocab.txt");

    /// <summary>Its committed config.json, parsed as the server parses it.</summary>
    public static ModelConfig Config => ModelConfig.Parse(Name, File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleModels, Name, ModelRepositoryLayout.ConfigFileName)));
}
