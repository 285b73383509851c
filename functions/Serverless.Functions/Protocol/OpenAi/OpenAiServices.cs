using Serverless.Functions.Hosting;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// What the text routes (OpenAI's and Triton's generate) need registered. <c>ITextEmbeddings</c> and
/// <c>ITextGeneration</c> are the application's, registered with it; without them those routes answer 503.
/// </summary>
public static class OpenAiServices
{
    public static IServiceCollection AddOpenAiProtocol(this IServiceCollection services)
    {
        services.AddValidatedOptions<OpenAiOptions, OpenAiOptionsValidator>(OpenAiOptions.Section);
        services.AddSingleton<OpenAiRequestBody>();
        services.AddSingleton<CompletionResponder>();
        services.AddSingleton<GenerateResponder>();
        return services;
    }
}
