namespace Serverless.Core.Errors;

public sealed class ModelNotFoundException(string message) : ServerlessException(message, 404);
