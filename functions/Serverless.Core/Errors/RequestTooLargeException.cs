namespace Serverless.Core.Errors;

public sealed class RequestTooLargeException(string message) : ServerlessException(message, 413);
