using System.Text.Json;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>What every answer and chunk of one completion call repeats: its id, object name, creation time and model.</summary>
public sealed record CompletionHeader(CompletionKind Kind, string Id, long Created, string Model)
{
    public static CompletionHeader For(CompletionKind kind, string model, TimeProvider time) =>
        new(kind, (kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"), time.GetUtcNow().ToUnixTimeSeconds(), model);

    public void Write(Utf8JsonWriter json, bool chunk)
    {
        json.WriteString("id", Id);
        json.WriteString("object", (Kind, chunk) switch
        {
            (CompletionKind.Chat, false) => "chat.completion",
            (CompletionKind.Chat, true) => "chat.completion.chunk",
            _ => "text_completion",
        });
        json.WriteNumber("created", Created);
        json.WriteString("model", Model);
    }
}
