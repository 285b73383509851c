using Serverless.SampleModels.Training;

namespace Serverless.SampleModels.Samples;

/// <summary>The models written to models/, each trained on data generated from a known ground truth.</summary>
internal static class SampleCatalog
{
    public static readonly IReadOnlyList<SampleModel> All =
    [
        new("linear-regressor",
            "Linear regression y = 1.5 x0 - 2 x1 + 0.75 x2 + 3 x3 + 0.5 plus noise, trained by gradient descent.",
            Seed: 101, LinearData, HiddenWidths: [], OutputActivation.Identity, Epochs: 200, LearningRate: 0.1),
        new("binary-classifier",
            "Logistic regression on 3 features; probability of the positive class and its 0/1 label at threshold 0.5.",
            Seed: 202, LogisticData, HiddenWidths: [], OutputActivation.Sigmoid, Epochs: 500, LearningRate: 0.5),
        new("iris-mlp",
            "Iris-like 3-class MLP (4 measurements in cm, hidden layer of 16 with Relu); class probabilities and label 0..2.",
            Seed: 303, IrisData, HiddenWidths: [16], OutputActivation.Softmax, Epochs: 5000, LearningRate: 0.05),
    ];

    private static Dataset LinearData(Random random)
    {
        float[] weights = [1.5f, -2f, 0.75f, 3f];
        const int rows = 256;
        var features = Gaussians(random, rows * weights.Length);
        var targets = new float[rows];
        for (var row = 0; row < rows; row++)
        {
            targets[row] = Dot(features, row, weights) + 0.5f + random.NextGaussian(0, 0.1);
        }

        return new Dataset(features, targets, rows, weights.Length, 1);
    }

    private static Dataset LogisticData(Random random)
    {
        float[] weights = [2f, -1.5f, 1f];
        const int rows = 400;
        var features = Gaussians(random, rows * weights.Length);
        var targets = new float[rows];
        for (var row = 0; row < rows; row++)
        {
            // Noise on the logit keeps the classes overlapping, so the weights stay finite.
            targets[row] = Dot(features, row, weights) + 0.25f + random.NextGaussian(0, 0.5) > 0 ? 1 : 0;
        }

        return new Dataset(features, targets, rows, weights.Length, 1);
    }

    private static Dataset IrisData(Random random)
    {
        // Per-class mean and standard deviation of sepal length, sepal width, petal length, petal width,
        // close to Fisher's iris (setosa, versicolor, virginica).
        double[][] means = [[5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]];
        double[][] deviations = [[0.35, 0.38, 0.17, 0.1], [0.5, 0.3, 0.47, 0.2], [0.64, 0.32, 0.55, 0.27]];
        const int rows = 150, inputs = 4, classes = 3;
        var features = new float[rows * inputs];
        var targets = new float[rows * classes];
        for (var row = 0; row < rows; row++)
        {
            var label = row % classes; // interleaved, so the first rows cover every class
            for (var i = 0; i < inputs; i++)
            {
                features[row * inputs + i] = random.NextGaussian(means[label][i], deviations[label][i]);
            }

            targets[row * classes + label] = 1;
        }

        return new Dataset(features, targets, rows, inputs, classes);
    }

    private static float[] Gaussians(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = random.NextGaussian();
        }

        return values;
    }

    private static float Dot(float[] features, int row, float[] weights)
    {
        var sum = 0f;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += features[row * weights.Length + i] * weights[i];
        }

        return sum;
    }
}
