using System.Buffers;
using System.Text.Json;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// OpenAI's whole (not streamed) answer: <c>{"id", "object", "created", "model", "choices": [...], "usage":
/// {"prompt_tokens", "completion_tokens", "total_tokens"}}</c>; a chat choice is <c>{"index", "message": {"role":
/// "assistant", "content"}, "logprobs": null, "finish_reason"}</c>, a completion choice <c>{"index", "text",
/// "logprobs": null, "finish_reason"}</c>.
/// </summary>
public static class CompletionResponseWriter
{
    public sealed record Choice(string Text, FinishReason? Reason);

    public static void Write(IBufferWriter<byte> output, CompletionHeader header, IReadOnlyList<Choice> choices, TokenUsage usage)
    {
        using var json = new Utf8JsonWriter(output, OpenAiJson.WriterOptions);
        json.WriteStartObject();
        header.Write(json, chunk: false);
        json.WriteStartArray("choices");
        for (var i = 0; i < choices.Count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("index", i);
            if (header.Kind == CompletionKind.Chat)
            {
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", choices[i].Text);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", choices[i].Text);
            }
            json.WriteNull("logprobs");
            WriteFinishReason(json, choices[i].Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    public static void WriteFinishReason(Utf8JsonWriter json, FinishReason? reason)
    {
        if (reason is { } r)
        {
            json.WriteString("finish_reason", WireName(r));
        }
        else
        {
            json.WriteNull("finish_reason");
        }
    }

    public static string WireName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    public static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteEndObject();
    }
}
