using System.Text.Json;
using Serverless.Core.Text;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Reads OpenAI's embeddings request: <c>model</c>, <c>input</c> (a string, a list of strings, a list of token ids or
/// a list of such lists), <c>encoding_format</c>, <c>dimensions</c>, <c>user</c>. The inputs' count and length are
/// the embeddings call's own bounds (<see cref="EmbeddingsOptions"/>, checked here before anything is held for them),
/// token ids per input <see cref="OpenAiOptions"/>'; any other field is ignored, as OpenAI ignores fields it does not know.
/// </summary>
public static class EmbeddingsRequestReader
{
    public static EmbeddingsCall Read(JsonElement root, OpenAiOptions options, EmbeddingsOptions limits)
    {
        var fields = new RequestFields(root);
        var model = ModelField.Read(fields);
        var inputs = ReadInputs(fields.Get("input") ?? throw RequestFields.Invalid("'input' is required", "input"), options, limits);
        var base64 = fields.String("encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw RequestFields.Invalid($"'encoding_format' must be \"float\" or \"base64\", not \"{other}\"", "encoding_format"),
        };
        var dimensions = (int?)fields.Integer("dimensions", 1, int.MaxValue);
        return new EmbeddingsCall(new EmbeddingRequest(model, inputs, fields.String("user")) { Dimensions = dimensions }, base64);
    }

    private static List<EmbeddingInput> ReadInputs(JsonElement input, OpenAiOptions options, EmbeddingsOptions limits)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return [Text(input, 0, limits)];
        }
        if (input.ValueKind != JsonValueKind.Array)
        {
            throw RequestFields.Invalid($"'input' must be a string, a list of strings or a list of token ids, not {RequestFields.Describe(input)}", "input");
        }
        var count = input.GetArrayLength();
        if (count == 0)
        {
            throw RequestFields.Invalid("'input' is an empty list", "input");
        }
        // A list of numbers is one input given as token ids; otherwise each entry is one input.
        if (input[0].ValueKind == JsonValueKind.Number)
        {
            return [TokenIds(input, "input", options)];
        }
        if (count > limits.MaxInputsPerCall)
        {
            throw RequestFields.Invalid($"'input' holds {count} inputs; at most {limits.MaxInputsPerCall} are allowed ({EmbeddingsOptions.Section}:MaxInputsPerCall)", "input");
        }
        var inputs = new List<EmbeddingInput>(count);
        var strings = input[0].ValueKind == JsonValueKind.String;
        foreach (var item in input.EnumerateArray())
        {
            var index = inputs.Count;
            inputs.Add((strings, item.ValueKind) switch
            {
                (true, JsonValueKind.String) => Text(item, index, limits),
                (false, JsonValueKind.Array) => TokenIds(item, $"input[{index}]", options),
                _ => throw RequestFields.Invalid(
                    $"'input[{index}]' must be {(strings ? "a string" : "a list of token ids")} like the first input, not {RequestFields.Describe(item)}", "input"),
            });
        }
        return inputs;
    }

    private static EmbeddingInput Text(JsonElement item, int index, EmbeddingsOptions limits)
    {
        var text = item.GetString()!;
        if (text.Length == 0)
        {
            throw RequestFields.Invalid($"'input[{index}]' is an empty string", "input");
        }
        if (text.Length > limits.MaxCharactersPerInput)
        {
            throw RequestFields.Invalid(
                $"'input[{index}]' is {text.Length} characters long; at most {limits.MaxCharactersPerInput} are allowed ({EmbeddingsOptions.Section}:MaxCharactersPerInput)", "input");
        }
        return EmbeddingInput.OfText(text);
    }

    private static EmbeddingInput TokenIds(JsonElement list, string name, OpenAiOptions options)
    {
        var count = list.GetArrayLength();
        if (count == 0)
        {
            throw RequestFields.Invalid($"'{name}' is an empty list of token ids", "input");
        }
        if (count > options.MaxInputTokenIds)
        {
            throw RequestFields.Invalid($"'{name}' holds {count} token ids; at most {options.MaxInputTokenIds} are allowed ({OpenAiOptions.Section}:MaxInputTokenIds)", "input");
        }
        var ids = new int[count];
        var i = 0;
        foreach (var id in list.EnumerateArray())
        {
            ids[i] = id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var value) && value >= 0
                ? value
                : throw RequestFields.Invalid($"'{name}[{i}]' must be a token id (an integer from 0), not {RequestFields.Describe(id)}", "input");
            i++;
        }
        return EmbeddingInput.OfTokens(ids);
    }
}
