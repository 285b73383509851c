using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// A failure after a stream's 200 was sent, which can only reach the client as an event: its status (from
/// <see cref="ServerlessException.StatusOf"/>, as everywhere) and a message for the client, with what the server keeps
/// to itself logged instead, as <see cref="Endpoints.EndpointPipeline"/> does for failures before a response.
/// </summary>
public readonly record struct StreamFailure(int Status, string Message, Exception Error)
{
    /// <summary>Null when the client went away: nobody is left to tell.</summary>
    public static StreamFailure? Of(Exception e, HttpContext context, ILogger logger)
    {
        var status = ServerlessException.StatusOf(e, context.RequestAborted);
        if (status == ServerlessException.ClientClosedRequest)
        {
            return null;
        }
        switch (e)
        {
            case ServerlessException known:
                if (status >= 500)
                {
                    logger.LogWarning("{Method} {Path} failed mid-stream with {StatusCode}: {Reason}", context.Request.Method, context.Request.Path, status, known.Message);
                }
                return new StreamFailure(status, known.Message, e);
            case OperationCanceledException:
                logger.LogWarning("{Method} {Path} was cancelled mid-stream by the server, not the client: {Reason}", context.Request.Method, context.Request.Path, e.Message);
                return new StreamFailure(status, "the server cancelled the call before it finished; retry shortly", e);
            default:
                logger.LogError(e, "{Method} {Path} failed mid-stream", context.Request.Method, context.Request.Path);
                return new StreamFailure(status, "internal server error", e);
        }
    }
}
