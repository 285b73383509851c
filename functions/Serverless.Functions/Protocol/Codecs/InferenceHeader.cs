using System.Globalization;
using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// The binary tensor data extension's framing: <c>Inference-Header-Content-Length</c> says how many leading bytes of
/// the body are the JSON header; the rest is the inputs' raw tensor bytes, back to back in input order.
/// </summary>
public static class InferenceHeader
{
    public const string ContentLengthHeader = "Inference-Header-Content-Length";

    /// <summary>Splits a body into JSON header and binary section; without the header value the whole body is JSON.</summary>
    public static (ReadOnlyMemory<byte> Json, ReadOnlyMemory<byte> Binary) Split(ReadOnlyMemory<byte> body, string? headerLength)
    {
        if (string.IsNullOrEmpty(headerLength))
        {
            return (body, ReadOnlyMemory<byte>.Empty);
        }
        if (!long.TryParse(headerLength, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= 0)
        {
            throw new InvalidInferenceInputException($"{ContentLengthHeader} '{headerLength}' is not a positive byte count");
        }
        if (length > body.Length)
        {
            throw new InvalidInferenceInputException($"{ContentLengthHeader} {length} is beyond the {body.Length}-byte request body");
        }
        return (body[..(int)length], body[(int)length..]);
    }
}
