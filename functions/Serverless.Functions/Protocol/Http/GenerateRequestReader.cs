using System.Text.Json;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Reads a request of Triton's generate extension: <c>{"text_input": "...", "parameters": {...}}</c>. Parameters are
/// <c>max_tokens</c>, <c>temperature</c>, <c>top_p</c>, <c>top_k</c>, <c>seed</c> and <c>stop</c> (a string or a list),
/// inside <c>parameters</c> or as top-level keys (Triton passes any other top-level key as a parameter; one in
/// <c>parameters</c> wins). Other parameters are model-specific in Triton; this server has none, so they are ignored.
/// The bounds are those of the OpenAI routes (<see cref="OpenAiOptions"/>).
/// </summary>
public static class GenerateRequestReader
{
    public static GenerationCall Read(JsonElement root, string model, bool stream, OpenAiOptions options)
    {
        var top = new RequestFields(root);
        var text = top.RequiredString("text_input");
        if (text.Length > options.MaxInputCharacters)
        {
            throw RequestFields.Invalid($"'text_input' is {text.Length} characters long; at most {options.MaxInputCharacters} are allowed ({OpenAiOptions.Section}:MaxInputCharacters)", "text_input");
        }
        var nested = top.Get("parameters") switch
        {
            null => (RequestFields?)null,
            { ValueKind: JsonValueKind.Object } parameters => new RequestFields(parameters),
            { } other => throw RequestFields.Invalid($"'parameters' must be an object, not {RequestFields.Describe(other)}", "parameters"),
        };
        RequestFields Of(string name) => nested is { } p && p.Has(name) ? p : top;
        var topK = Of("top_k").Integer("top_k", -1, int.MaxValue);
        var sampling = new GenerationOptions
        {
            MaxTokens = (int?)Of("max_tokens").Integer("max_tokens", 1, options.MaxCompletionTokens, $"{OpenAiOptions.Section}:MaxCompletionTokens") ?? options.DefaultCompletionMaxTokens,
            Temperature = Of("temperature").Number("temperature", 0, 2),
            TopP = Of("top_p").Number("top_p", 0, 1),
            TopK = topK is > 0 ? (int)topK : null,
            Seed = Of("seed").Integer("seed", long.MinValue, long.MaxValue),
            Stop = Of("stop").StringOrList("stop", options.MaxStopSequences, $"{OpenAiOptions.Section}:MaxStopSequences",
                options.MaxStopSequenceCharacters, $"{OpenAiOptions.Section}:MaxStopSequenceCharacters", allowEmpty: false),
        };
        return new GenerationCall(new GenerationRequest(model, [GenerationInput.OfPrompt(text)], sampling), stream, IncludeUsage: false);
    }
}
