using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// The small JSON bodies of the repository API: read whole within <see cref="MaxBytes"/> (413 past it, the rest
/// drained), parsed once; an empty body is no document. Bad JSON is a 400 naming the parser's complaint.
/// </summary>
public static class SmallJsonBody
{
    /// <summary>Far above any index filter or load request, far below what would cost memory.</summary>
    public const int MaxBytes = 64 * 1024;

    public static async Task<JsonDocument?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(request, MaxBytes, cancellationToken);
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }
        try
        {
            // Copied: the document outlives the pooled body buffer.
            return JsonDocument.Parse(body.Memory.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidRequestBodyException($"request body is not valid JSON: {e.Message}");
        }
    }

    public sealed class InvalidRequestBodyException(string message) : ServerlessException(message, StatusCodes.Status400BadRequest);
}
