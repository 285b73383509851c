namespace Serverless.Core.Errors;

/// <summary>The instance is at a capacity limit that is not any one model's (buffered request bytes); retry shortly.</summary>
public sealed class ServerBusyException : ServerlessException
{
    public ServerBusyException(string message, int retryAfterSeconds = 1) : base(message, 503)
    {
        RetryAfterSeconds = retryAfterSeconds;
    }
}
