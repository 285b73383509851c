using System.Text.Encodings.Web;
using System.Text.Json;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>How the text routes write JSON: by hand with <see cref="Utf8JsonWriter"/>, since OpenAI's shapes hold explicit nulls (<c>logprobs</c>, <c>finish_reason</c>, <c>usage</c>) that the protocol's serializer settings leave out.</summary>
public static class OpenAiJson
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        // API payloads, never HTML: generated text keeps its quotes and angle brackets readable, as OpenAI's do.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
