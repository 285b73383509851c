using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

/// <summary>A malformed admin or usage request (bad caller id, plan, date or grouping).</summary>
public sealed class InvalidMeteringInputException(string message) : ServerlessException(message, 400);
