using Serverless.Core.Errors;

namespace Serverless.Functions.Metering;

/// <summary>The status a failed call is answered with, as EndpointPipeline will render it, for its usage record.</summary>
public static class FailureStatus
{
    /// <summary>nginx's "client closed request": the client left before an answer.</summary>
    public const int ClientClosedRequest = 499;

    public static int Of(Exception exception) => exception switch
    {
        ServerlessException e => e.StatusCode,
        BadHttpRequestException e => e.StatusCode,
        OperationCanceledException => ClientClosedRequest,
        _ => StatusCodes.Status500InternalServerError,
    };
}
