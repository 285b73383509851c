using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>The text routes exist but this server has no text embeddings or generation registered: 503, the server's state, not the caller's fault.</summary>
public sealed class TextModelsNotServedException(string what) : ServerlessException($"this server does not serve {what}", StatusCodes.Status503ServiceUnavailable);
