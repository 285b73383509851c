namespace Serverless.Core.Errors;

/// <summary>The request is malformed or the model rejects it: always the caller's to fix.</summary>
public sealed class InvalidInferenceInputException(string message, Exception? inner = null) : ServerlessException(message, 400, inner);
