using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Request bodies are read as sent: no endpoint decompresses them, so a body with a <c>Content-Encoding</c> other than
/// <c>identity</c> is refused with 415 naming it, rather than parsed as compressed bytes and refused as "not valid JSON".
/// Decoding is left out on purpose: every body limit (Inference:MaxRequestBytes, the buffered-bytes budget) counts the
/// bytes on the wire, and a compressed body would hold many times that once expanded.
/// </summary>
public static class RequestContentEncoding
{
    public static void EnsureIdentity(HttpRequest request)
    {
        foreach (var value in request.Headers.ContentEncoding)
        {
            foreach (var coding in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UnsupportedContentEncodingException(
                        $"request bodies with Content-Encoding '{coding}' are not accepted: send the body uncompressed (or Content-Encoding: identity)");
                }
            }
        }
    }

    public sealed class UnsupportedContentEncodingException(string message) : ServerlessException(message, StatusCodes.Status415UnsupportedMediaType);
}
