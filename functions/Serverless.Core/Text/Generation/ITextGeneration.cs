using Serverless.Core.Metering;

namespace Serverless.Core.Text.Generation;

/// <summary>
/// The metered generation call: admit the caller, lease the model, tokenize and check the request (context length,
/// bounds), take one of the model's generation slots (429 with Retry-After when all are busy, never a queue), reserve
/// quota, then stream. Errors before the stream starts are thrown as <see cref="Errors.ServerlessException"/>s.
/// </summary>
public interface ITextGeneration
{
    Task<GenerationStream> StartAsync(CallerIdentity caller, GenerationRequest request, CancellationToken cancellationToken = default);
}
