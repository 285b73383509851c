using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

/// <summary>The usage record could not be made durable, so the call cannot be answered with a success.</summary>
public sealed class UsageLedgerUnavailableException(string message, Exception? inner = null) : ServerlessException(message, 503, inner);
