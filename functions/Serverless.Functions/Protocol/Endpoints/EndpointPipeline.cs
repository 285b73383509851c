using Serverless.Core.Errors;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>
/// What every HTTP function runs inside, whichever host serves it: caller authentication for its access rule, then
/// the function, with every failure turned into a JSON error. Our own exceptions carry their status, Kestrel's
/// request errors (body too large, bad framing) keep theirs, and anything unexpected is a logged 500 with no
/// internals leaked. The worker's ASP.NET Core pipeline takes no middleware of ours, so this is called by an
/// adapter per host (standalone endpoints, the worker's function middleware) rather than being middleware itself.
/// </summary>
public sealed class EndpointPipeline(CallerAuthenticator authenticator, ILogger<EndpointPipeline> logger)
{
    public async Task InvokeAsync(HttpContext context, EndpointAccessAttribute access, Func<Task> function)
    {
        try
        {
            await authenticator.AuthenticateAsync(context, access);
            await function();
        }
        catch (ServerlessException e)
        {
            if (e.StatusCode >= 500)
            {
                logger.LogWarning("{Method} {Path} failed with {StatusCode}: {Reason}", context.Request.Method, context.Request.Path, e.StatusCode, e.Message);
            }
            await ErrorResponse.WriteAsync(context, e.StatusCode, e.Message, e.RetryAfterSeconds);
        }
        catch (BadHttpRequestException e)
        {
            var message = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "request body is larger than Inference:MaxRequestBytes allows" : e.Message;
            await ErrorResponse.WriteAsync(context, e.StatusCode, message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await ErrorResponse.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal server error");
        }
    }
}
