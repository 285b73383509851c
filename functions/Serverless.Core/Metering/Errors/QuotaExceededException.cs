using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

public sealed class QuotaExceededException(string message) : ServerlessException(message, 429);
