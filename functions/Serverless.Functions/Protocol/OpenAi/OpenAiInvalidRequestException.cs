using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>A request OpenAI's API would refuse with 400: <see cref="Param"/> names the offending field, as OpenAI's <c>param</c> does.</summary>
public sealed class OpenAiInvalidRequestException(string message, string? param, string? code = null) : ServerlessException(message, StatusCodes.Status400BadRequest)
{
    public string? Param { get; } = param;

    /// <summary>OpenAI's machine-readable <c>code</c>, where it has one for this refusal.</summary>
    public string? Code { get; } = code;
}
