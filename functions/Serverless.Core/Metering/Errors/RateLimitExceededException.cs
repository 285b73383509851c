using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

public sealed class RateLimitExceededException(string message) : ServerlessException(message, 429);
