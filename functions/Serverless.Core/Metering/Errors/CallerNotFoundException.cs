using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

public sealed class CallerNotFoundException(string message) : ServerlessException(message, 404);
