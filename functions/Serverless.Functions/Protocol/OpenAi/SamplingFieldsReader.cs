using System.Text.Json;
using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// The fields chat completions and completions share: <c>max_tokens</c> / <c>max_completion_tokens</c>,
/// <c>temperature</c>, <c>top_p</c>, <c>top_k</c>, <c>seed</c>, <c>stop</c>, <c>n</c>, <c>stream</c>,
/// <c>stream_options</c>, <c>user</c>. Fields this server cannot honour (tools, log probabilities, penalties, a JSON
/// response format...) are refused with a 400 when set to anything but their no-op value; any other unknown field is
/// ignored, as OpenAI ignores them.
/// </summary>
public static class SamplingFieldsReader
{
    public static GenerationCall Read(RequestFields fields, string model, IReadOnlyList<GenerationInput> inputs, int defaultMaxTokens, OpenAiOptions options)
    {
        RefuseUnsupported(fields);
        var maxTokensField = fields.Has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        var maxTokens = (int?)fields.Integer(maxTokensField, 1, options.MaxCompletionTokens, $"{OpenAiOptions.Section}:MaxCompletionTokens") ?? defaultMaxTokens;
        var topK = fields.Integer("top_k", -1, int.MaxValue);
        var sampling = new GenerationOptions
        {
            MaxTokens = maxTokens,
            Temperature = fields.Number("temperature", 0, 2),
            TopP = fields.Number("top_p", 0, 1),
            // vLLM's convention: 0 or -1 turns top-k off, which here means the model's own default.
            TopK = topK is > 0 ? (int)topK : null,
            Seed = fields.Integer("seed", long.MinValue, long.MaxValue),
            Stop = fields.StringOrList("stop", options.MaxStopSequences, $"{OpenAiOptions.Section}:MaxStopSequences",
                options.MaxStopSequenceCharacters, $"{OpenAiOptions.Section}:MaxStopSequenceCharacters", allowEmpty: false),
        };
        var n = (int)(fields.Integer("n", 1, options.MaxChoices, $"{OpenAiOptions.Section}:MaxChoices") ?? 1);
        var stream = fields.Boolean("stream") ?? false;
        var includeUsage = false;
        if (fields.Get("stream_options") is { } streamOptions)
        {
            if (!stream)
            {
                throw RequestFields.Invalid("'stream_options' is only allowed when 'stream' is true", "stream_options");
            }
            if (streamOptions.ValueKind != JsonValueKind.Object)
            {
                throw RequestFields.Invalid($"'stream_options' must be an object, not {RequestFields.Describe(streamOptions)}", "stream_options");
            }
            includeUsage = new RequestFields(streamOptions).Boolean("include_usage") ?? false;
        }
        return new GenerationCall(new GenerationRequest(model, inputs, sampling, n, fields.String("user")), stream, includeUsage);
    }

    private static void RefuseUnsupported(RequestFields fields)
    {
        fields.Unsupported("tools", v => v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0, "tool calls are not generated");
        fields.Unsupported("functions", v => v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0, "function calls are not generated");
        fields.Unsupported("tool_choice", v => v.ValueKind == JsonValueKind.String && v.GetString() is "none" or "auto", "tool calls are not generated");
        fields.Unsupported("function_call", v => v.ValueKind == JsonValueKind.String && v.GetString() is "none" or "auto", "function calls are not generated");
        fields.Unsupported("logprobs", v => v.ValueKind == JsonValueKind.False || (v.ValueKind == JsonValueKind.Number && v.GetDouble() == 0), "log probabilities are not returned");
        fields.Unsupported("top_logprobs", v => v.ValueKind == JsonValueKind.Number && v.GetDouble() == 0, "log probabilities are not returned");
        fields.Unsupported("logit_bias", v => v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any(), "logits are not biased");
        fields.Unsupported("presence_penalty", v => v.ValueKind == JsonValueKind.Number && v.GetDouble() == 0, "penalties are not applied");
        fields.Unsupported("frequency_penalty", v => v.ValueKind == JsonValueKind.Number && v.GetDouble() == 0, "penalties are not applied");
        fields.Unsupported("response_format", v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "text",
            "only plain text is generated (no JSON mode or schema)");
        fields.Unsupported("echo", v => v.ValueKind == JsonValueKind.False, "the prompt is never echoed");
        fields.Unsupported("suffix", v => v.ValueKind == JsonValueKind.String && v.GetString() == "", "insertion after a suffix is not generated");
        fields.Unsupported("best_of", v => v.ValueKind == JsonValueKind.Number && v.GetDouble() == 1, "every generated choice is returned (use n)");
        fields.Unsupported("audio", _ => false, "only text is generated");
    }
}
