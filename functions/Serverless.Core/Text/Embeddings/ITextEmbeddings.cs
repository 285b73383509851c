using Serverless.Core.Metering;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// The metered embeddings call (what <c>POST /v1/embeddings</c> and an embeddings job use): admit the caller, lease
/// the model, check bounds, reserve quota in tokens, embed, bill the tokens durably. Throws
/// <see cref="Errors.ServerlessException"/>s whose status the protocol renders (400, 404, 413, 429, 503).
/// </summary>
public interface ITextEmbeddings
{
    Task<EmbeddingResult> EmbedAsync(CallerIdentity caller, EmbeddingRequest request, CancellationToken cancellationToken = default);
}
