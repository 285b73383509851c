using System.Globalization;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// The one place errors are rendered: a status code and <c>{"error": "..."}</c>, plus the header that says what to do
/// next where there is one (Retry-After on a 429/503, Allow on a 405). Paths of the OpenAI-compatible routes
/// (<see cref="OpenAiRoutes"/>) get OpenAI's envelope instead, whoever raised the error (authentication, the body
/// reader, the catch-all), since OpenAI's clients read nothing else.
/// </summary>
public static class ErrorResponse
{
    /// <param name="error">The failure, when there is one: OpenAI's envelope takes its <c>param</c> and <c>code</c> from it.</param>
    public static async Task WriteAsync(HttpContext context, int statusCode, string message, int? retryAfterSeconds = null, IReadOnlyList<string>? allow = null,
        Exception? error = null)
    {
        if (context.Response.HasStarted)
        {
            // Too late for a status code: cut the connection so the client sees a failure, not a truncated 200.
            context.Abort();
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = statusCode;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (allow is not null)
        {
            context.Response.Headers.Allow = string.Join(", ", allow);
        }
        if (OpenAiRoutes.Owns(context.Request.Path))
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(OpenAiErrorEnvelope.ToUtf8(statusCode, message, error));
            return;
        }
        await context.Response.WriteAsJsonAsync(new ErrorBody(message), ProtocolJson.Options);
    }

    public sealed record ErrorBody(string Error);
}
