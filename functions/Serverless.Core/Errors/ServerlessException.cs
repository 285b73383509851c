namespace Serverless.Core.Errors;

/// <summary>
/// An error that knows how it reaches a client: its HTTP status, and a message that names the offending
/// model, input or field. The protocol layer renders it as <c>{"error": message}</c>.
/// </summary>
public abstract class ServerlessException(string message, int statusCode, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Seconds a client should wait before retrying (sent as Retry-After), when retrying makes sense.</summary>
    public int? RetryAfterSeconds { get; init; }
}
