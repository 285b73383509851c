using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Infrastructure.GenAI;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Text models: the metered embeddings and generation calls the OpenAI-compatible and Triton generate routes use,
/// and the bound on concurrent generations. The models themselves are loaded by the one registry.
/// </summary>
public static class TextModelServices
{
    public static IServiceCollection AddTextModels(this IServiceCollection services)
    {
        services.AddValidatedOptions<EmbeddingsOptions, EmbeddingsOptionsValidator>(EmbeddingsOptions.Section);
        services.AddValidatedOptions<GenerationSettings, GenerationSettingsValidator>(GenerationSettings.Section);
        services.AddSingleton<IEmbeddingModelFactory, EmbeddingModelFactory>();
        services.AddSingleton<IGenerativeModelFactory, GenAiModelFactory>();
        services.AddSingleton<GenerationSlots>();
        services.AddSingleton<ITextEmbeddings, TextEmbeddingService>();
        services.AddSingleton<ITextGeneration, TextGenerationService>();
        return services;
    }
}
