using System.Text.Json;
using Microsoft.Extensions.Options;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// The JSON body of a text request: read whole within <c>OpenAi:MaxRequestBytes</c> (413 past it) and the buffered
/// bytes budget (503 past it, as inference bodies), parsed once over the pooled buffer, which it holds (and its share
/// of the budget) until disposed. It must be a JSON object; anything else is a 400.
/// </summary>
public sealed class OpenAiRequestBody(RequestBodyReader reader, RefusedBodyDrain drain, IOptions<OpenAiOptions> options)
{
    public async Task<Parsed> ReadAsync(HttpContext context)
    {
        drain.Allow(context);
        var body = await reader.ReadAsync(context, options.Value.MaxRequestBytes, $"{OpenAiOptions.Section}:MaxRequestBytes", context.RequestAborted);
        try
        {
            var document = JsonDocument.Parse(body.Memory);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                var kind = document.RootElement.ValueKind;
                document.Dispose();
                throw new OpenAiInvalidRequestException($"request body must be a JSON object, not {kind}", null);
            }
            return new Parsed(body, document);
        }
        catch (JsonException e)
        {
            body.Dispose();
            throw new OpenAiInvalidRequestException($"request body is not valid JSON: {e.Message}", null);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>The document over the body it was parsed from; read what is needed, then dispose both.</summary>
    public sealed class Parsed(RequestBody body, JsonDocument document) : IDisposable
    {
        public JsonElement RootElement => document.RootElement;

        public void Dispose()
        {
            document.Dispose();
            body.Dispose();
        }
    }
}
