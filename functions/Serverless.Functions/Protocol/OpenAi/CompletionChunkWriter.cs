using System.Text.Json;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// The chunks of a streamed answer, as OpenAI writes them: a chat opens each choice with a <c>{"role": "assistant"}</c>
/// delta, then sends <c>{"content"}</c> deltas, then an empty delta with the choice's <c>finish_reason</c>; a completion
/// sends <c>text</c> pieces and a last empty one with its <c>finish_reason</c>. With <c>include_usage</c>, every chunk
/// carries <c>"usage": null</c> and a last chunk has <c>"choices": []</c> and the call's usage.
/// </summary>
public sealed class CompletionChunkWriter(CompletionHeader header, bool includeUsage)
{
    public void WriteOpening(Utf8JsonWriter json, int index) => WriteChoice(json, index, role: true, text: "", reason: null);

    public void WriteText(Utf8JsonWriter json, int index, string text) => WriteChoice(json, index, role: false, text, reason: null);

    public void WriteFinish(Utf8JsonWriter json, int index, FinishReason reason) => WriteChoice(json, index, role: false, text: null, reason);

    public void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject();
        header.Write(json, chunk: true);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        CompletionResponseWriter.WriteUsage(json, usage);
        json.WriteEndObject();
    }

    private void WriteChoice(Utf8JsonWriter json, int index, bool role, string? text, FinishReason? reason)
    {
        json.WriteStartObject();
        header.Write(json, chunk: true);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", index);
        if (header.Kind == CompletionKind.Chat)
        {
            json.WriteStartObject("delta");
            if (role)
            {
                json.WriteString("role", "assistant");
            }
            if (text is not null)
            {
                json.WriteString("content", text);
            }
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", text ?? "");
        }
        json.WriteNull("logprobs");
        CompletionResponseWriter.WriteFinishReason(json, reason);
        json.WriteEndObject();
        json.WriteEndArray();
        if (includeUsage)
        {
            json.WriteNull("usage");
        }
        json.WriteEndObject();
    }
}
