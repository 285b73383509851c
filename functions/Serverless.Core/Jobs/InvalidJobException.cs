using Serverless.Core.Errors;

namespace Serverless.Core.Jobs;

/// <summary>A job the server will not run as given (bad field, location outside the allowed ones, unusable model signature): 400.</summary>
public sealed class InvalidJobException(string message) : ServerlessException(message, 400);
