using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Metering;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// The metered embeddings call: admit the caller, lease the model (loading it if needed), tokenize and check every
/// input, reserve the caller's quota in tokens, embed (batched with other callers' inputs by the model), and bill the
/// tokens fed to the encoder durably before answering. The usage returned is the usage recorded.
/// </summary>
public sealed class TextEmbeddingService(ModelCache cache, MeteredText metering, IOptions<EmbeddingsOptions> options) : ITextEmbeddings
{
    public async Task<EmbeddingResult> EmbedAsync(CallerIdentity caller, EmbeddingRequest request, CancellationToken cancellationToken = default)
    {
        var name = TextModelNames.Parse(request.Model);
        using var call = await metering.AdmitAsync(caller, name.Name, RequestIds.Of(request.User), cancellationToken);
        ModelKey? key = null;
        try
        {
            if (request.Inputs.Count == 0)
            {
                throw new InvalidInferenceInputException("'input' must hold at least one text or token list");
            }
            if (request.Inputs.Count > options.Value.MaxInputsPerCall)
            {
                // Before any input is tokenized: a long list is refused for its length alone.
                throw new InvalidInferenceInputException(
                    $"'input' holds {request.Inputs.Count} inputs; at most {options.Value.MaxInputsPerCall} are accepted in one call (Embeddings:MaxInputsPerCall)");
            }
            using var lease = await cache.AcquireAsync(name.Name, name.Version, cancellationToken);
            key = lease.Model.Key;
            var model = lease.Embedding;
            if (request.Dimensions is { } dimensions && dimensions != model.Info.Dimensions)
            {
                throw new InvalidInferenceInputException(
                    $"'dimensions' is {dimensions}, but model {key} returns {model.Info.Dimensions}-dimensional vectors and does not shorten them");
            }
            // Tokenizing first checks every input's bounds before any quota is taken, and sizes the reservation.
            long tokens = 0;
            foreach (var input in request.Inputs)
            {
                tokens += model.Tokenize(input).Count;
            }
            await call.ReserveAsync(request.Inputs.Count, tokens, cancellationToken);
            call.StartCompute();
            var batch = await model.EmbedAsync(request.Inputs, cancellationToken);
            var usage = new TokenUsage(batch.TotalTokens, 0);
            await call.BillAsync(lease.Model.Key, usage, batch.ComputeTime, ExecutionProviderOf(lease.Model), request.Inputs.Count);
            return new EmbeddingResult(lease.Model.Key, batch.Vectors, usage);
        }
        catch (Exception e)
        {
            await call.FailAsync(e, key, default, cancellationToken);
            throw;
        }
    }

    internal static string ExecutionProviderOf(ILoadedModel model) =>
        model.Graph is { } graph ? graph.Session.ExecutionProvider.WireName() : ExecutionProvider.Cpu.WireName();
}
