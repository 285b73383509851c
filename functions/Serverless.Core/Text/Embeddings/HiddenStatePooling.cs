namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// One row of an encoder's <c>[batch, sequence, hidden]</c> states to one vector: the mean of the states of the row's
/// own tokens (sentence-transformers' mean pooling: the attention mask's positions, padding excluded) or the first
/// token's ([CLS]), then L2-normalised if asked.
/// </summary>
internal static class HiddenStatePooling
{
    /// <param name="states">The whole output, row-major.</param>
    /// <param name="tokens">The row's own tokens: positions 0 to tokens - 1 (padding follows them).</param>
    public static float[] Pool(ReadOnlySpan<float> states, int row, int sequenceLength, int hiddenSize, int tokens, bool cls, bool normalize)
    {
        var rowStates = states.Slice(row * sequenceLength * hiddenSize, sequenceLength * hiddenSize);
        var vector = new float[hiddenSize];
        if (cls)
        {
            rowStates[..hiddenSize].CopyTo(vector);
        }
        else
        {
            // Summed in double, so a long input's mean is as exact as a short one's.
            var sum = new double[hiddenSize];
            for (var t = 0; t < tokens; t++)
            {
                var state = rowStates.Slice(t * hiddenSize, hiddenSize);
                for (var h = 0; h < hiddenSize; h++)
                {
                    sum[h] += state[h];
                }
            }
            for (var h = 0; h < hiddenSize; h++)
            {
                vector[h] = (float)(sum[h] / Math.Max(tokens, 1));
            }
        }
        if (normalize)
        {
            Normalize(vector);
        }
        return vector;
    }

    /// <summary>Scales to length 1; a zero vector stays zero (PyTorch's normalize divides by max(norm, 1e-12) too).</summary>
    public static void Normalize(Span<float> vector)
    {
        double squares = 0;
        foreach (var x in vector)
        {
            squares += (double)x * x;
        }
        var norm = Math.Max(Math.Sqrt(squares), 1e-12);
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(vector[i] / norm);
        }
    }
}
