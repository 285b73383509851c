using Microsoft.ML.OnnxRuntimeGenAI;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// GenerationOptions as GenAI search options. Temperature 0 is greedy (do_sample false); a temperature above 0,
/// top_p or top_k turns sampling on with what was given; nothing given keeps genai_config.json's search section.
/// </summary>
internal static class SearchOptions
{
    public static void Apply(GeneratorParams parameters, GenerationOptions options, int maxLength)
    {
        // Total length, prompt included (GenAI's max_length).
        parameters.SetSearchOption("max_length", maxLength);
        if (options.Temperature is 0)
        {
            parameters.SetSearchOption("do_sample", false);
            return;
        }

        if (options.Temperature is null && options.TopP is null && options.TopK is null)
        {
            SetSeed(parameters, options.Seed);
            return;
        }

        parameters.SetSearchOption("do_sample", true);
        if (options.Temperature is { } temperature)
        {
            parameters.SetSearchOption("temperature", temperature);
        }

        if (options.TopP is { } topP)
        {
            parameters.SetSearchOption("top_p", topP);
        }

        if (options.TopK is { } topK)
        {
            parameters.SetSearchOption("top_k", topK);
        }

        SetSeed(parameters, options.Seed);
    }

    // GenAI's random_seed is a 32-bit int where -1 means "from the clock": any long seed maps onto 0..int.MaxValue - 1.
    private static void SetSeed(GeneratorParams parameters, long? seed)
    {
        if (seed is { } s)
        {
            parameters.SetSearchOption("random_seed", (double)(int)((ulong)s % int.MaxValue));
        }
    }
}
