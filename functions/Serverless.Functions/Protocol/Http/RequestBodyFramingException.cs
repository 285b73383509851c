using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// A request body whose HTTP framing Kestrel cannot follow (a chunk size of 2^31 or more, bad chunk-size text): the
/// client's error, a 400, not the server's. Kestrel reports some of these as IOException, which is never our disk here.
/// </summary>
public sealed class RequestBodyFramingException(string message, Exception inner) : ServerlessException(message, 400, inner);
