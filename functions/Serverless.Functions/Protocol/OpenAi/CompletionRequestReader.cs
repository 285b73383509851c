using System.Text.Json;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Reads OpenAI's (legacy) completion request: <c>model</c>, <c>prompt</c> (a string or a list of strings, each its
/// own choices) and the shared sampling fields (<see cref="SamplingFieldsReader"/>). Prompts given as token ids are
/// refused: generation takes text, tokenized by the model's own tokenizer.
/// </summary>
public static class CompletionRequestReader
{
    public static GenerationCall Read(JsonElement root, OpenAiOptions options)
    {
        var fields = new RequestFields(root);
        var model = ModelField.Read(fields);
        if (fields.Get("prompt") is not { } prompt)
        {
            throw RequestFields.Invalid("'prompt' is required", "prompt");
        }
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() > 0 && prompt[0].ValueKind is JsonValueKind.Number or JsonValueKind.Array)
        {
            throw RequestFields.Invalid("'prompt' as token ids is not supported by this server: send text", "prompt", "unsupported_parameter");
        }
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 0)
        {
            throw RequestFields.Invalid("'prompt' is an empty list", "prompt");
        }
        var prompts = fields.StringOrList("prompt", options.MaxPrompts, $"{OpenAiOptions.Section}:MaxPrompts",
            options.MaxInputCharacters, $"{OpenAiOptions.Section}:MaxInputCharacters", allowEmpty: true);
        return SamplingFieldsReader.Read(fields, model, [.. prompts.Select(GenerationInput.OfPrompt)], options.DefaultCompletionMaxTokens, options);
    }
}
