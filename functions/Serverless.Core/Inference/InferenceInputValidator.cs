using Serverless.Core.Errors;

namespace Serverless.Core.Inference;

/// <summary>
/// Checks a request against the model's declared inputs and outputs before ONNX Runtime sees it, so that every
/// mistake comes back as a 400 naming the input and the numbers involved. Messages open with Triton's wording
/// (<c>unexpected inference input 'x' for model 'm'</c>, ...) for clients that match it, then add ours.
/// </summary>
public static class InferenceInputValidator
{
    /// <param name="requestedOutputs">The outputs asked for; empty asks for all.</param>
    public static void Validate(string model, IModelSession session, IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> requestedOutputs, int maxBatchSize)
    {
        foreach (var input in inputs)
        {
            var declared = Find(session.Inputs, input.Name) ?? Find(session.OptionalInputs, input.Name)
                ?? throw new InvalidInferenceInputException($"unexpected inference input '{input.Name}' for model '{model}' (inputs: {Names(session.Inputs, session.OptionalInputs)})");
            if (input.DataType != declared.DataType)
            {
                throw new InvalidInferenceInputException($"inference input '{input.Name}' data-type is '{input.DataType.WireName()}', but model '{model}' expects '{declared.DataType.WireName()}'");
            }
            if (input.Shape.Length != declared.Shape.Length)
            {
                throw new InvalidInferenceInputException($"{UnexpectedShape(model, input, declared)}: rank {input.Shape.Length}, model expects rank {declared.Shape.Length}");
            }
            for (var d = 0; d < declared.Shape.Length; d++)
            {
                if (declared.Shape[d] >= 0 && declared.Shape[d] != input.Shape[d])
                {
                    throw new InvalidInferenceInputException($"{UnexpectedShape(model, input, declared)}: they differ at dimension {d}");
                }
            }
            if (maxBatchSize > 0 && input.Shape.Length > 0 && declared.Shape[0] < 0 && input.Shape[0] > maxBatchSize)
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': batch of {input.Shape[0]} exceeds the model's max_batch_size {maxBatchSize}");
            }
            var given = input.DataType.ElementsIn(input.Data.Span);
            if (given < 0)
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': BYTES data is not a sequence of 4-byte little-endian lengths each followed by that many bytes");
            }
            if (given != input.ElementCount || (input.DataType.HasFixedSize() && input.Data.Length % input.DataType.ElementSize() != 0))
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': {given} elements given, shape {TensorShape.Format(input.Shape)} needs {input.ElementCount}");
            }
        }
        foreach (var declared in session.Inputs)
        {
            if (!inputs.Any(i => i.Name == declared.Name))
            {
                throw new InvalidInferenceInputException($"expected {session.Inputs.Count} inputs but got {inputs.Count(i => Find(session.Inputs, i.Name) is not null)} inputs for model '{model}': input '{declared.Name}' is missing (required: {Names(session.Inputs)})");
            }
        }
        if (inputs.Count != inputs.Select(i => i.Name).Distinct().Count())
        {
            throw new InvalidInferenceInputException("an input is given more than once");
        }
        // Each output comes back once: a name asked for twice would otherwise come back twice, as two tensors of one name.
        if (requestedOutputs.GroupBy(o => o, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidInferenceInputException($"output '{twice.Key}' is asked for more than once in 'outputs'");
        }
        foreach (var output in requestedOutputs)
        {
            if (Find(session.Outputs, output) is null)
            {
                throw new InvalidInferenceInputException($"unexpected inference output '{output}' for model '{model}' (outputs: {Names(session.Outputs)})");
            }
        }
    }

    private static TensorMetadata? Find(IReadOnlyList<TensorMetadata> tensors, string name)
    {
        foreach (var t in tensors)
        {
            if (t.Name == name)
            {
                return t;
            }
        }
        return null;
    }

    private static string UnexpectedShape(string model, InferenceTensor input, TensorMetadata declared) =>
        $"unexpected shape for input '{input.Name}' for model '{model}'. Expected {TensorShape.Format(declared.Shape)}, got {TensorShape.Format(input.Shape)}";

    private static string Names(IReadOnlyList<TensorMetadata> tensors) => string.Join(", ", tensors.Select(t => t.Name));

    private static string Names(IReadOnlyList<TensorMetadata> required, IReadOnlyList<TensorMetadata> optional) =>
        optional.Count == 0 ? Names(required) : $"{Names(required)}; optional: {Names(optional)}";
}
