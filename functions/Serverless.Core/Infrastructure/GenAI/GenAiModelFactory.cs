using Microsoft.Extensions.Logging;
using Serverless.Core.Repository;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>The loader's way to <see cref="GenAiGenerativeModel"/>: a version folder with a genai_config.json is a generator.</summary>
public sealed class GenAiModelFactory(ILogger<GenAiModelFactory> logger) : IGenerativeModelFactory
{
    public bool Recognizes(string versionDirectory) => GenAiGenerativeModel.IsGenAiFolder(versionDirectory);

    public IGenerativeModel Open(ModelKey key, ModelFile file, ModelConfig config) =>
        GenAiGenerativeModel.Open(key, file.Directory, config, file.Length, logger, file.ContentId);
}
