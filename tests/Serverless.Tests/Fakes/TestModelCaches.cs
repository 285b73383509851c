using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;

namespace Serverless.Tests.Fakes;

/// <summary>A model registry over fakes, wired as the app wires it (loader, version index, observers).</summary>
internal static class TestModelCaches
{
    public static ModelCache Create(IModelRepository repository, IModelSessionFactory sessions, IOptions<ModelsOptions> options, TimeProvider time,
        InferenceStatistics? statistics = null, params IModelLifecycleObserver[] observers) =>
        Create(repository, sessions, options, time, statistics, embeddings: null, generators: null, observers);

    /// <summary>A registry whose loader also opens text models through the given factories.</summary>
    public static ModelCache Create(IModelRepository repository, IModelSessionFactory sessions, IOptions<ModelsOptions> options, TimeProvider time,
        InferenceStatistics? statistics, IEmbeddingModelFactory? embeddings, IGenerativeModelFactory? generators, params IModelLifecycleObserver[] observers)
    {
        var loader = new ModelLoader(repository, sessions, statistics ?? new InferenceStatistics(time), Options.Create(new InferenceOptions()), NullLogger<ModelLoader>.Instance, time,
            embeddings, generators);
        return new ModelCache(loader, repository, new ModelVersionIndex(repository, options, time), observers, options, NullLogger<ModelCache>.Instance, time);
    }
}
