using System.Runtime.InteropServices;
using Serverless.Core.Inference;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// One Run's inputs for several sequences of different lengths: each padded at the end to the longest with the pad id,
/// its attention mask 1 over its own tokens and 0 over the padding, so the encoder ignores the padding and each row's
/// states at its own positions are what it would get alone (up to float rounding); token types all 0.
/// </summary>
internal static class PaddedEncoderInput
{
    public static IReadOnlyList<InferenceTensor> Build(IReadOnlyList<int[]> sequences, int paddingId, bool withTokenTypeIds)
    {
        var rows = sequences.Count;
        var length = sequences.Max(s => s.Length);
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        for (var row = 0; row < rows; row++)
        {
            var sequence = sequences[row];
            var offset = row * length;
            for (var i = 0; i < length; i++)
            {
                var real = i < sequence.Length;
                ids[offset + i] = real ? sequence[i] : paddingId;
                mask[offset + i] = real ? 1 : 0;
            }
        }
        long[] shape = [rows, length];
        var inputs = new List<InferenceTensor>(3)
        {
            Tensor(EncoderSignature.InputIds, shape, ids),
            Tensor(EncoderSignature.AttentionMask, shape, mask),
        };
        if (withTokenTypeIds)
        {
            inputs.Add(Tensor(EncoderSignature.TokenTypeIds, shape, new long[rows * length]));
        }
        return inputs;
    }

    // Little-endian element bytes, as InferenceTensor carries them (every platform .NET runs ONNX Runtime on is little-endian).
    private static InferenceTensor Tensor(string name, long[] shape, long[] values) =>
        new(name, TensorDataType.Int64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
