using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

/// <summary>No key, or a key that is wrong or revoked.</summary>
public sealed class UnauthorizedCallerException(string message) : ServerlessException(message, 401);
