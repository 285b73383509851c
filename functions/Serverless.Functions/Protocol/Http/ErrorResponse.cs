using System.Globalization;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// The one place errors are rendered: a status code and <c>{"error": "..."}</c>, plus the header that says what to do
/// next where there is one (Retry-After on a 429/503, Allow on a 405).
/// </summary>
public static class ErrorResponse
{
    public static async Task WriteAsync(HttpContext context, int statusCode, string message, int? retryAfterSeconds = null, IReadOnlyList<string>? allow = null)
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
        await context.Response.WriteAsJsonAsync(new ErrorBody(message), ProtocolJson.Options);
    }

    public sealed record ErrorBody(string Error);
}
