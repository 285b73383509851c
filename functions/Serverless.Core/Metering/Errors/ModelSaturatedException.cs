using Serverless.Core.Errors;

namespace Serverless.Core.Metering.Errors;

/// <summary>The model's concurrency slots and queue are full: the call is shed rather than buffered without bound.</summary>
public sealed class ModelSaturatedException(string message) : ServerlessException(message, 503);
