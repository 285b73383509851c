namespace Serverless.SampleModels.Training;

/// <summary>Row-major features [rows, inputs] and targets [rows, outputs]; class targets are 0/1 or one-hot.</summary>
internal sealed record Dataset(float[] Features, float[] Targets, int Rows, int Inputs, int Outputs)
{
    public float[] FirstRows(int count) => Features[..(count * Inputs)];

    /// <summary>Coefficient of determination of a single-output regression.</summary>
    public double RSquared(float[] predictions)
    {
        var mean = Targets.Average();
        double residual = 0, total = 0;
        for (var i = 0; i < Targets.Length; i++)
        {
            residual += Math.Pow(Targets[i] - predictions[i], 2);
            total += Math.Pow(Targets[i] - mean, 2);
        }

        return 1 - residual / total;
    }

    /// <summary>Share of rows whose predicted class (probability above 0.5, or the largest) matches the target.</summary>
    public double Accuracy(float[] predictions)
    {
        var correct = 0;
        for (var row = 0; row < Rows; row++)
        {
            correct += Outputs == 1
                ? (predictions[row] > 0.5f) == (Targets[row] > 0.5f) ? 1 : 0
                : ArgMax(predictions.AsSpan(row * Outputs, Outputs)) == ArgMax(Targets.AsSpan(row * Outputs, Outputs)) ? 1 : 0;
        }

        return (double)correct / Rows;
    }

    /// <summary>First index of the row's largest value, the tie rule of ONNX ArgMax (select_last_index = 0).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
