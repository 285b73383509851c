using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// Joins requests' tensors along the first dimension and splits a batch's outputs back per request. BYTES tensors
/// join by concatenation too (each element carries its own length); they split at element boundaries, found by walking.
/// </summary>
public static class TensorBatching
{
    /// <summary>One tensor per input of the first request, holding every request's rows in order.</summary>
    public static IReadOnlyList<InferenceTensor> Concatenate(IReadOnlyList<IReadOnlyList<InferenceTensor>> requests)
    {
        var merged = new InferenceTensor[requests[0].Count];
        for (var i = 0; i < merged.Length; i++)
        {
            var template = requests[0][i];
            var parts = new InferenceTensor[requests.Count];
            long rows = 0;
            var bytes = 0;
            for (var r = 0; r < requests.Count; r++)
            {
                parts[r] = Find(requests[r], template.Name);
                rows += parts[r].Shape[0];
                bytes += parts[r].Data.Length;
            }
            var data = new byte[bytes];
            var offset = 0;
            foreach (var part in parts)
            {
                part.Data.Span.CopyTo(data.AsSpan(offset));
                offset += part.Data.Length;
            }
            var shape = (long[])template.Shape.Clone();
            shape[0] = rows;
            merged[i] = template with { Shape = shape, Data = data };
        }
        return merged;
    }

    /// <summary>Each request's rows of every output, or null when an output's first dimension is not the batch.</summary>
    public static IReadOnlyList<InferenceTensor>[]? Split(IReadOnlyList<InferenceTensor> outputs, IReadOnlyList<long> rowsPerRequest)
    {
        var total = rowsPerRequest.Sum();
        var split = new IReadOnlyList<InferenceTensor>[rowsPerRequest.Count];
        var perRequest = new InferenceTensor[rowsPerRequest.Count][];
        for (var r = 0; r < perRequest.Length; r++)
        {
            perRequest[r] = new InferenceTensor[outputs.Count];
            split[r] = perRequest[r];
        }
        for (var o = 0; o < outputs.Count; o++)
        {
            var output = outputs[o];
            if (output.Shape.Length == 0 || output.Shape[0] != total)
            {
                return null;
            }
            var rowBytes = total == 0 || !output.DataType.HasFixedSize() ? 0 : output.Data.Length / (int)total;
            var elementsPerRow = TensorShape.ElementCount(output.Shape.AsSpan(1));
            var offset = 0;
            for (var r = 0; r < rowsPerRequest.Count; r++)
            {
                var length = output.DataType.HasFixedSize()
                    ? (int)rowsPerRequest[r] * rowBytes
                    : BytesTensor.Offset(output.Data.Span[offset..], rowsPerRequest[r] * elementsPerRow);
                var shape = (long[])output.Shape.Clone();
                shape[0] = rowsPerRequest[r];
                perRequest[r][o] = output with { Shape = shape, Data = output.Data.Slice(offset, length) };
                offset += length;
            }
        }
        return split;
    }

    private static InferenceTensor Find(IReadOnlyList<InferenceTensor> tensors, string name)
    {
        foreach (var tensor in tensors)
        {
            if (tensor.Name == name)
            {
                return tensor;
            }
        }
        throw new InvalidOperationException($"input '{name}' missing from a request in the batch");
    }
}
