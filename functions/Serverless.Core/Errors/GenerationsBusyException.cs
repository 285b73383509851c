namespace Serverless.Core.Errors;

/// <summary>
/// Every generation slot of the model is taken: the call is refused at once with 429 and Retry-After, never queued
/// (a queued generation would hold its connection for as long as the ones ahead of it generate).
/// </summary>
public sealed class GenerationsBusyException(string message) : ServerlessException(message, 429)
{
}
