using Serverless.SampleModels.Onnx;

namespace Serverless.SampleModels.Training;

/// <summary>
/// Fully connected layers with Relu between them. The same weights drive the C# forward pass, full-batch gradient
/// descent and the exported ONNX graph, so the self-check compares ONNX Runtime against this class.
/// </summary>
internal sealed class DenseNetwork
{
    private readonly int[] widths;
    private readonly float[][] weights; // per layer [in, out] row-major: Gemm's B without transB
    private readonly float[][] biases;

    private DenseNetwork(int[] widths, OutputActivation activation, Random random)
    {
        this.widths = widths;
        Activation = activation;
        weights = new float[widths.Length - 1][];
        biases = new float[widths.Length - 1][];
        for (var layer = 0; layer < weights.Length; layer++)
        {
            // He initialisation keeps Relu activations at a steady scale through deep 1024-wide stacks.
            var scale = Math.Sqrt(2.0 / widths[layer]);
            weights[layer] = new float[widths[layer] * widths[layer + 1]];
            for (var i = 0; i < weights[layer].Length; i++)
            {
                weights[layer][i] = random.NextGaussian(0, scale);
            }

            biases[layer] = new float[widths[layer + 1]];
        }
    }

    public OutputActivation Activation { get; }

    public int InputWidth => widths[0];

    public int OutputWidth => widths[^1];

    /// <param name="widths">Input width, hidden widths, output width.</param>
    public static DenseNetwork CreateRandom(IReadOnlyList<int> widths, OutputActivation activation, Random random) =>
        new([.. widths], activation, random);

    /// <summary>Outputs after the output activation, [rows, OutputWidth].</summary>
    public float[] Predict(float[] features, int rows) => Forward(features, rows)[^1];

    /// <summary>Full-batch gradient descent.</summary>
    /// <returns>The loss before each epoch's step, then the final loss.</returns>
    public double[] Train(Dataset data, int epochs, float learningRate)
    {
        var losses = new double[epochs + 1];
        for (var epoch = 0; epoch <= epochs; epoch++)
        {
            var activations = Forward(data.Features, data.Rows);
            losses[epoch] = Loss(activations[^1], data.Targets, data.Rows);
            if (epoch == epochs)
            {
                break;
            }

            // Canonical link: d loss / d pre-activation = (prediction - target) / rows.
            var delta = new float[activations[^1].Length];
            for (var i = 0; i < delta.Length; i++)
            {
                delta[i] = (activations[^1][i] - data.Targets[i]) / data.Rows;
            }

            for (var layer = weights.Length - 1; layer >= 0; layer--)
            {
                delta = Backward(layer, activations[layer], delta, data.Rows, learningRate);
            }
        }

        return losses;
    }

    /// <summary>Appends Gemm (+ Relu) per layer and the output activation, whose result is named <paramref name="output"/>.</summary>
    public string AppendTo(OnnxGraphBuilder graph, string input, string output)
    {
        var current = input;
        for (var layer = 0; layer < weights.Length; layer++)
        {
            var last = layer == weights.Length - 1;
            var weight = graph.AddInitializer($"dense{layer}.weight", weights[layer], widths[layer], widths[layer + 1]);
            var bias = graph.AddInitializer($"dense{layer}.bias", biases[layer], widths[layer + 1]);
            current = graph.AddNode("Gemm", [current, weight, bias], last && Activation == OutputActivation.Identity ? output : $"dense{layer}");
            if (!last)
            {
                current = graph.AddNode("Relu", [current], $"relu{layer}");
            }
        }

        return Activation switch
        {
            OutputActivation.Sigmoid => graph.AddNode("Sigmoid", [current], output),
            OutputActivation.Softmax => graph.AddNode("Softmax", [current], output, OnnxAttribute.Of("axis", 1L)),
            _ => current,
        };
    }

    // activations[0] is the input, activations[^1] the network output; hidden entries are after Relu.
    private float[][] Forward(float[] features, int rows)
    {
        var activations = new float[weights.Length + 1][];
        activations[0] = features;
        for (var layer = 0; layer < weights.Length; layer++)
        {
            int inputs = widths[layer], outputs = widths[layer + 1];
            var result = new float[rows * outputs];
            for (var row = 0; row < rows; row++)
            {
                for (var o = 0; o < outputs; o++)
                {
                    // Accumulating in double keeps this reference within float rounding of any ONNX Runtime kernel.
                    double sum = biases[layer][o];
                    for (var i = 0; i < inputs; i++)
                    {
                        sum += (double)activations[layer][row * inputs + i] * weights[layer][i * outputs + o];
                    }

                    result[row * outputs + o] = layer < weights.Length - 1 ? (float)Math.Max(sum, 0) : (float)sum;
                }
            }

            activations[layer + 1] = result;
        }

        Activate(activations[^1], rows);
        return activations;
    }

    private void Activate(float[] logits, int rows)
    {
        if (Activation == OutputActivation.Sigmoid)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)(1 / (1 + Math.Exp(-logits[i])));
            }
        }
        else if (Activation == OutputActivation.Softmax)
        {
            var width = OutputWidth;
            for (var row = 0; row < rows; row++)
            {
                var span = logits.AsSpan(row * width, width);
                double max = span[Dataset.ArgMax(span)], total = 0;
                for (var i = 0; i < width; i++)
                {
                    total += Math.Exp(span[i] - max);
                }

                for (var i = 0; i < width; i++)
                {
                    span[i] = (float)(Math.Exp(span[i] - max) / total);
                }
            }
        }
    }

    private double Loss(float[] predictions, float[] targets, int rows)
    {
        const double epsilon = 1e-7; // keeps log() finite on saturated probabilities
        double total = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            double p = predictions[i], y = targets[i];
            total += Activation switch
            {
                OutputActivation.Identity => (p - y) * (p - y),
                OutputActivation.Sigmoid => -(y * Math.Log(Math.Max(p, epsilon)) + (1 - y) * Math.Log(Math.Max(1 - p, epsilon))),
                _ => -y * Math.Log(Math.Max(p, epsilon)),
            };
        }

        return total / rows;
    }

    // Updates one layer in place and returns the gradient with respect to its input's pre-activation.
    private float[] Backward(int layer, float[] input, float[] delta, int rows, float learningRate)
    {
        int inputs = widths[layer], outputs = widths[layer + 1];
        var previous = new float[rows * inputs];
        for (var row = 0; row < rows; row++)
        {
            for (var i = 0; i < inputs; i++)
            {
                // Relu passes the gradient only where it was active; the network input has no Relu to undo.
                if (layer > 0 && input[row * inputs + i] <= 0)
                {
                    continue;
                }

                double sum = 0;
                for (var o = 0; o < outputs; o++)
                {
                    sum += (double)delta[row * outputs + o] * weights[layer][i * outputs + o];
                }

                previous[row * inputs + i] = (float)sum;
            }
        }

        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < inputs; i++)
            {
                double gradient = 0;
                for (var row = 0; row < rows; row++)
                {
                    gradient += (double)input[row * inputs + i] * delta[row * outputs + o];
                }

                weights[layer][i * outputs + o] -= (float)(learningRate * gradient);
            }

            double biasGradient = 0;
            for (var row = 0; row < rows; row++)
            {
                biasGradient += delta[row * outputs + o];
            }

            biases[layer][o] -= (float)(learningRate * biasGradient);
        }

        return previous;
    }
}
