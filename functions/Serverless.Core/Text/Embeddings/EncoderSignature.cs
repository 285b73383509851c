using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// The BERT-family graph contract an embedding model is run by, read from the encoder's declared inputs and outputs:
/// INT64 <c>input_ids</c> and <c>attention_mask</c> <c>[batch, sequence]</c>, an optional INT64 <c>token_type_ids</c>
/// (sent as zeros: one segment), and a FP32 <c>[batch, sequence, hidden]</c> output, <c>last_hidden_state</c> or else
/// the first of that shape, whose hidden size is the vector's length.
/// </summary>
internal sealed record EncoderSignature(bool HasTokenTypeIds, string OutputName, int HiddenSize)
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";
    public const string LastHiddenState = "last_hidden_state";

    public static EncoderSignature Of(LoadedModel encoder)
    {
        var model = encoder.Key.ToString();
        var session = encoder.Session;
        var declared = session.Inputs.Concat(session.OptionalInputs).ToList();
        foreach (var name in new[] { InputIds, AttentionMask })
        {
            if (!declared.Any(i => i.Name == name))
            {
                throw new ModelLoadException($"model {model}: an embedding model's graph needs an input '{name}' (it has {Names(declared)})");
            }
        }
        foreach (var input in declared.Where(i => i.Name is InputIds or AttentionMask or TokenTypeIds))
        {
            if (input.DataType != TensorDataType.Int64 || input.Shape.Length != 2)
            {
                throw new ModelLoadException($"model {model}: embedding input '{input.Name}' must be INT64 [batch, sequence]; the graph declares {input.DataType.WireName()} {TensorShape.Format(input.Shape)}");
            }
        }
        if (session.Inputs.FirstOrDefault(i => i.Name is not (InputIds or AttentionMask or TokenTypeIds)) is { } other)
        {
            throw new ModelLoadException($"model {model}: an embedding model's graph may take only {InputIds}, {AttentionMask} and {TokenTypeIds}; it also requires '{other.Name}'");
        }
        static bool IsStates(TensorMetadata o) => o.DataType == TensorDataType.FP32 && o.Shape.Length == 3;
        var output = session.Outputs.FirstOrDefault(o => o.Name == LastHiddenState && IsStates(o)) ?? session.Outputs.FirstOrDefault(IsStates)
            ?? throw new ModelLoadException($"model {model}: an embedding model's graph needs a FP32 [batch, sequence, hidden] output such as '{LastHiddenState}' (it has {Names(session.Outputs)})");
        if (output.Shape[2] <= 0 || output.Shape[2] > int.MaxValue)
        {
            throw new ModelLoadException($"model {model}: output '{output.Name}' must declare its hidden size (the vector's length); it declares {TensorShape.Format(output.Shape)}");
        }
        return new EncoderSignature(declared.Any(i => i.Name == TokenTypeIds), output.Name, (int)output.Shape[2]);
    }

    private static string Names(IEnumerable<TensorMetadata> tensors) => string.Join(", ", tensors.Select(t => t.Name));
}
