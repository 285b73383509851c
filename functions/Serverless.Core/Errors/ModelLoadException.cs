namespace Serverless.Core.Errors;

/// <summary>The model exists but cannot be served now (corrupt file, unavailable execution provider, storage down).</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : ServerlessException(message, 503, inner);
