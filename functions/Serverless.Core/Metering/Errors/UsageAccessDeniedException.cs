using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

/// <summary>An authenticated caller asked for something only the admin key may see or do.</summary>
public sealed class UsageAccessDeniedException(string message) : ServerlessException(message, 403);
