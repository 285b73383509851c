using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

public sealed class CallerConflictException(string message) : ServerlessException(message, 409);
