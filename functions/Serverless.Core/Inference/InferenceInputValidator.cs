using Serverless.Core.Errors;

namespace Serverless.Core.Inference;

/// <summary>
/// Checks a request against the model's declared inputs and outputs before ONNX Runtime sees it, so that every
/// mistake comes back as a 400 naming the input and the numbers involved.
/// </summary>
public static class InferenceInputValidator
{
    public static void Validate(string model, IModelSession session, InferenceRequest request, int maxBatchSize)
    {
        foreach (var input in request.Inputs)
        {
            var declared = Find(session.Inputs, input.Name)
                ?? throw new InvalidInferenceInputException($"model '{model}' has no input '{input.Name}' (inputs: {Names(session.Inputs)})");
            if (input.DataType != declared.DataType)
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': datatype {input.DataType.WireName()} given, model expects {declared.DataType.WireName()}");
            }
            if (input.Shape.Length != declared.Shape.Length)
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': shape {TensorShape.Format(input.Shape)} has rank {input.Shape.Length}, model expects rank {declared.Shape.Length} {TensorShape.Format(declared.Shape)}");
            }
            for (var d = 0; d < declared.Shape.Length; d++)
            {
                if (declared.Shape[d] >= 0 && declared.Shape[d] != input.Shape[d])
                {
                    throw new InvalidInferenceInputException($"input '{input.Name}': shape {TensorShape.Format(input.Shape)} does not match the model's {TensorShape.Format(declared.Shape)} at dimension {d}");
                }
            }
            if (maxBatchSize > 0 && input.Shape.Length > 0 && declared.Shape[0] < 0 && input.Shape[0] > maxBatchSize)
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': batch of {input.Shape[0]} exceeds the model's max_batch_size {maxBatchSize}");
            }
            if (input.Data.Length != input.ElementCount * input.DataType.ElementSize())
            {
                throw new InvalidInferenceInputException($"input '{input.Name}': {input.Data.Length / input.DataType.ElementSize()} elements given, shape {TensorShape.Format(input.Shape)} needs {input.ElementCount}");
            }
        }
        foreach (var declared in session.Inputs)
        {
            if (!request.Inputs.Any(i => i.Name == declared.Name))
            {
                throw new InvalidInferenceInputException($"input '{declared.Name}' is missing (model '{model}' needs: {Names(session.Inputs)})");
            }
        }
        if (request.Inputs.Count != request.Inputs.Select(i => i.Name).Distinct().Count())
        {
            throw new InvalidInferenceInputException("an input is given more than once");
        }
        foreach (var output in request.RequestedOutputs)
        {
            if (Find(session.Outputs, output) is null)
            {
                throw new InvalidInferenceInputException($"model '{model}' has no output '{output}' (outputs: {Names(session.Outputs)})");
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

    private static string Names(IReadOnlyList<TensorMetadata> tensors) => string.Join(", ", tensors.Select(t => t.Name));
}
