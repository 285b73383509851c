using System.Text;
using System.Text.Json;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Reads OpenAI's chat completion request: <c>model</c>, <c>messages</c> and the shared sampling fields
/// (<see cref="SamplingFieldsReader"/>). A message is a role and its content, a string or a list of text parts;
/// <c>developer</c> is OpenAI's newer name for <c>system</c>. Tool and function messages, and non-text parts (images,
/// audio), are refused: this server generates text from text only.
/// </summary>
public static class ChatCompletionRequestReader
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant"];

    public static GenerationCall Read(JsonElement root, OpenAiOptions options)
    {
        var fields = new RequestFields(root);
        var model = ModelField.Read(fields);
        var messages = ReadMessages(fields.Get("messages") ?? throw RequestFields.Invalid("'messages' is required", "messages"), options);
        return SamplingFieldsReader.Read(fields, model, [GenerationInput.OfChat(messages)], options.DefaultChatMaxTokens, options);
    }

    private static List<ChatMessage> ReadMessages(JsonElement list, OpenAiOptions options)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw RequestFields.Invalid($"'messages' must be a list of messages, not {RequestFields.Describe(list)}", "messages");
        }
        var count = list.GetArrayLength();
        if (count == 0)
        {
            throw RequestFields.Invalid("'messages' is an empty list: a chat needs at least one message", "messages");
        }
        if (count > options.MaxMessages)
        {
            throw RequestFields.Invalid($"'messages' holds {count} messages; at most {options.MaxMessages} are allowed ({OpenAiOptions.Section}:MaxMessages)", "messages");
        }
        var messages = new List<ChatMessage>(count);
        var characters = 0L;
        foreach (var item in list.EnumerateArray())
        {
            var name = $"messages[{messages.Count}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw RequestFields.Invalid($"'{name}' must be an object with 'role' and 'content', not {RequestFields.Describe(item)}", "messages");
            }
            var message = new RequestFields(item);
            var role = message.Get("role") is { ValueKind: JsonValueKind.String } r ? r.GetString()! : throw RequestFields.Invalid($"'{name}.role' must be a string", "messages");
            if (role is "tool" or "function")
            {
                throw RequestFields.Invalid($"'{name}.role' \"{role}\" is not supported by this server: tool calls are not generated", "messages", "unsupported_parameter");
            }
            if (!Roles.Contains(role))
            {
                throw RequestFields.Invalid($"'{name}.role' must be one of {string.Join(", ", Roles)}, not \"{role}\"", "messages");
            }
            var content = Content(message.Get("content"), name);
            characters += content.Length;
            if (characters > options.MaxInputCharacters)
            {
                throw RequestFields.Invalid(
                    $"'messages' hold more than {options.MaxInputCharacters} characters of content ({OpenAiOptions.Section}:MaxInputCharacters)", "messages");
            }
            messages.Add(new ChatMessage(role == "developer" ? "system" : role, content));
        }
        return messages;
    }

    private static string Content(JsonElement? content, string name)
    {
        switch (content)
        {
            case null:
                throw RequestFields.Invalid($"'{name}.content' is required", "messages");
            case { ValueKind: JsonValueKind.String } text:
                return text.GetString()!;
            case { ValueKind: JsonValueKind.Array } parts:
                var joined = new StringBuilder();
                var index = 0;
                foreach (var part in parts.EnumerateArray())
                {
                    var fields = part.ValueKind == JsonValueKind.Object ? new RequestFields(part) : throw RequestFields.Invalid($"'{name}.content[{index}]' must be an object", "messages");
                    var type = fields.String("type");
                    if (type != "text")
                    {
                        throw RequestFields.Invalid($"'{name}.content[{index}]' is a \"{type}\" part; only \"text\" parts are supported", "messages", "unsupported_parameter");
                    }
                    joined.Append(fields.Get("text") is { ValueKind: JsonValueKind.String } t ? t.GetString() : throw RequestFields.Invalid($"'{name}.content[{index}].text' must be a string", "messages"));
                    index++;
                }
                return joined.ToString();
            case { } other:
                throw RequestFields.Invalid($"'{name}.content' must be a string or a list of text parts, not {RequestFields.Describe(other)}", "messages");
        }
    }
}
