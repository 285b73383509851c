using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Metering;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Generation;

/// <summary>
/// The metered generation call. Everything that can be wrong with a request is found before the first token: the
/// model and its kind, every prompt against the context length, the model's generation slots (429 at once when all
/// are taken) and the caller's quota (reserved for the prompt plus max_tokens per choice). Then a
/// <see cref="RunningGeneration"/> streams the choices and bills exactly what was generated.
/// </summary>
public sealed class TextGenerationService(ModelCache cache, MeteredText metering, GenerationSlots slots) : ITextGeneration
{
    public async Task<GenerationStream> StartAsync(CallerIdentity caller, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var name = TextModelNames.Parse(request.Model);
        var call = await metering.AdmitStreamAsync(caller, name.Name, RequestIds.Of(request.User), cancellationToken);
        ModelLease? lease = null;
        IDisposable? slot = null;
        ModelKey? key = null;
        try
        {
            Check(request);
            lease = await cache.AcquireAsync(name.Name, name.Version, cancellationToken);
            key = lease.Model.Key;
            var model = lease.Generative;
            var prompts = request.Inputs.Select(model.Tokenize).ToArray();
            foreach (var prompt in prompts)
            {
                CheckFits(key.Value, prompt.Count, request.Options.MaxTokens, model.Info.ContextLength);
            }
            try
            {
                slot = slots.Take(key.Value, prompts.Length * request.N);
            }
            catch (GenerationsBusyException busy)
            {
                await call.RejectAsync(busy);
                throw;
            }
            var promptTokens = prompts.Sum(p => (long)p.Count) * request.N;
            var choices = (long)prompts.Length * request.N;
            await call.ReserveAsync(prompts.Length, promptTokens + choices * request.Options.MaxTokens, cancellationToken);
            call.StartCompute();
            return new RunningGeneration(call, lease, slot, model, prompts, request, promptTokens, cancellationToken);
        }
        catch (Exception e)
        {
            slot?.Dispose();
            lease?.Dispose();
            await call.FailAsync(e, key, default, cancellationToken);
            call.Dispose();
            throw;
        }
    }

    private static void Check(GenerationRequest request)
    {
        if (request.Inputs.Count == 0)
        {
            throw new InvalidInferenceInputException("the request holds no prompt");
        }
        if (request.N < 1)
        {
            throw new InvalidInferenceInputException($"'n' must be at least 1, not {request.N}");
        }
        if (request.Options.MaxTokens < 1)
        {
            throw new InvalidInferenceInputException($"'max_tokens' must be at least 1, not {request.Options.MaxTokens}");
        }
    }

    /// <summary>Prompt plus max_tokens must fit the context: a 400 naming both numbers, never a failure mid-generation.</summary>
    internal static void CheckFits(ModelKey key, int promptTokens, int maxTokens, int contextLength)
    {
        if (promptTokens == 0)
        {
            throw new InvalidInferenceInputException("the prompt is empty: it must hold at least one token");
        }
        if ((long)promptTokens + maxTokens > contextLength)
        {
            throw new InvalidInferenceInputException(
                $"the prompt is {promptTokens} tokens and 'max_tokens' is {maxTokens}: {(long)promptTokens + maxTokens} tokens, more than model {key}'s context length of {contextLength} tokens");
        }
    }
}
