using System.Text.Json;
using Microsoft.Extensions.Options;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// The JSON body of a text request: read whole within <c>OpenAi:MaxRequestBytes</c> (413 past it) and the buffered
/// bytes budget (503 past it, as inference bodies), parsed once. It must be a JSON object; anything else is a 400.
/// </summary>
public sealed class OpenAiRequestBody(RequestBodyReader reader, RefusedBodyDrain drain, IOptions<OpenAiOptions> options)
{
    public async Task<JsonDocument> ReadAsync(HttpContext context)
    {
        drain.Allow(context);
        using var body = await reader.ReadAsync(context, options.Value.MaxRequestBytes, $"{OpenAiOptions.Section}:MaxRequestBytes", context.RequestAborted);
        JsonDocument document;
        try
        {
            // Copied: the document outlives the pooled body buffer.
            document = JsonDocument.Parse(body.Memory.ToArray());
        }
        catch (JsonException e)
        {
            throw new OpenAiInvalidRequestException($"request body is not valid JSON: {e.Message}", null);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new OpenAiInvalidRequestException($"request body must be a JSON object, not {kind}", null);
        }
        return document;
    }
}
