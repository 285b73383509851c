namespace Serverless.Core.Errors;

/// <summary>The model is saturated and sheds this request rather than queueing without bound; retry shortly.</summary>
public sealed class ModelOverloadedException : ServerlessException
{
    public ModelOverloadedException(string message, int retryAfterSeconds = 1) : base(message, 503)
    {
        RetryAfterSeconds = retryAfterSeconds;
    }
}
