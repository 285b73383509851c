using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Turns every failure into a JSON error: our own exceptions carry their status, Kestrel's request errors
/// (body too large, bad framing) keep theirs, and anything unexpected is a logged 500 with no internals leaked.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
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
