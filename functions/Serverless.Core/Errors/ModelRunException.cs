namespace Serverless.Core.Errors;

/// <summary>
/// A loaded model failed to run for a reason that is not the caller's (the GPU ran out of memory, a CUDA or kernel
/// failure): 503, so clients retry and batch scoring retries the shard instead of marking its rows bad.
/// </summary>
public sealed class ModelRunException(string message, Exception? inner = null) : ServerlessException(message, 503, inner);
