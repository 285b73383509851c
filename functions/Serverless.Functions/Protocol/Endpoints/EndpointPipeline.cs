using Serverless.Core.Errors;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>
/// What every HTTP function runs inside, whichever host serves it: caller authentication for its access rule, the
/// refusal of compressed bodies (<see cref="RequestContentEncoding"/>), then the function, with every failure turned into a JSON error. The status is <see cref="ServerlessException.StatusOf"/>'s,
/// the one a metered call's usage record keeps: our own exceptions carry theirs, a cancellation the client did not
/// cause is a 503, running out of memory is a 503 with Retry-After, and anything unexpected is a logged 500 with no internals leaked; Kestrel's request errors (body
/// too large, bad framing) keep their own. The worker's ASP.NET Core pipeline takes no middleware of ours, so this is
/// called by an adapter per host (standalone endpoints, the worker's function middleware) rather than being middleware.
/// </summary>
public sealed class EndpointPipeline(CallerAuthenticator authenticator, ILogger<EndpointPipeline> logger)
{
    public async Task InvokeAsync(HttpContext context, EndpointAccessAttribute access, Func<Task> function)
    {
        try
        {
            await authenticator.AuthenticateAsync(context, access);
            RequestContentEncoding.EnsureIdentity(context.Request);
            await function();
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own request errors (body too large, bad framing) keep their status; they are raised only while
            // a body is read, before any call is metered.
            var message = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "request body is larger than Inference:MaxRequestBytes allows",
                // Kestrel's MinRequestBodyDataRate tripped: the body reader has already returned its reservation.
                StatusCodes.Status408RequestTimeout => "request body arrived slower than Inference:MinRequestBodyBytesPerSecond allows; it was cut off",
                _ => e.Message,
            };
            await ErrorResponse.WriteAsync(context, e.StatusCode, message);
        }
        catch (Exception e)
        {
            // The same status a metered call's usage record keeps for this failure.
            var status = ServerlessException.StatusOf(e, context.RequestAborted);
            switch (e)
            {
                case ServerlessException known:
                    if (status >= 500)
                    {
                        logger.LogWarning("{Method} {Path} failed with {StatusCode}: {Reason}", context.Request.Method, context.Request.Path, status, known.Message);
                    }
                    await ErrorResponse.WriteAsync(context, status, known.Message, known.RetryAfterSeconds, error: known);
                    break;
                case OperationCanceledException when status == ServerlessException.ClientClosedRequest:
                    // The client went away; nobody is left to answer.
                    break;
                case OutOfMemoryException:
                    // The reason is the server's, not internals: the caller learns only that a retry may succeed.
                    logger.LogWarning(e, "{Method} {Path} ran out of memory", context.Request.Method, context.Request.Path);
                    await ErrorResponse.WriteAsync(context, status, "the server ran out of memory for this request; retry shortly (or send a smaller request)", retryAfterSeconds: 1);
                    break;
                case OperationCanceledException:
                    logger.LogWarning("{Method} {Path} was cancelled by the server, not the client: {Reason}", context.Request.Method, context.Request.Path, e.Message);
                    await ErrorResponse.WriteAsync(context, status, "the server cancelled the call before it finished; retry shortly", retryAfterSeconds: 1);
                    break;
                case var _ when DataDiskFailure.Is(e):
                    // The path and the errno go to the log; the client is told what failed in product terms.
                    logger.LogError(e, "{Method} {Path} failed: the data disk refused a write", context.Request.Method, context.Request.Path);
                    await ErrorResponse.WriteAsync(context, status, DataDiskFailure.Message(e, "the request could not be stored"), DataDiskFailure.RetryAfterSeconds);
                    break;
                default:
                    logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                    await ErrorResponse.WriteAsync(context, status, "internal server error");
                    break;
            }
        }
    }
}
