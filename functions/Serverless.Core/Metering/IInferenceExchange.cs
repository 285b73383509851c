using Serverless.Core.Errors;
using Serverless.Core.Inference;

namespace Serverless.Core.Metering;

/// <summary>
/// What a metered call needs from the protocol that carries it, with the encoding left to the protocol. The request
/// is read only once the call is admitted, so a caller over its rate limit is refused before its body is parsed and a
/// malformed body is a recorded failure; the response is checked before the call is billed, so one the protocol
/// cannot send is a failure, not a charge.
/// </summary>
public interface IInferenceExchange
{
    /// <summary>Bytes the caller sent, as the usage record counts them.</summary>
    long RequestBytes { get; }

    /// <summary>Decodes the request; throws a 4xx <see cref="ServerlessException"/> when it is malformed.</summary>
    InferenceRequest ReadRequest();

    /// <summary>Throws a 4xx <see cref="ServerlessException"/> when <paramref name="response"/> cannot be sent as asked.</summary>
    void EnsureSendable(InferenceResponse response);
}
