using Serverless.SampleModels.Onnx;
using Serverless.SampleModels.Training;
using Serverless.SampleModels.Verification;

namespace Serverless.SampleModels.Samples;

/// <summary>
/// The served inputs and outputs of a sample model, by its output activation. Graph and expected values are
/// built side by side so a renamed or reshaped output cannot drift between the two.
/// </summary>
internal static class ModelSignature
{
    public const string InputName = "features";

    public static OnnxGraph Build(string name, DenseNetwork network)
    {
        var graph = new OnnxGraphBuilder(name).AddInput(InputName, OnnxElementType.Float, OnnxDim.Batch, network.InputWidth);
        switch (network.Activation)
        {
            case OutputActivation.Identity:
                network.AppendTo(graph, InputName, "prediction");
                graph.AddOutput("prediction", OnnxElementType.Float, OnnxDim.Batch, network.OutputWidth);
                break;
            case OutputActivation.Sigmoid:
                var probability = network.AppendTo(graph, InputName, "probability");
                var threshold = graph.AddInitializer("threshold", [0.5f], 1);
                var positive = graph.AddNode("Greater", [probability, threshold], "is_positive");
                graph.AddNode("Cast", [positive], "label", OnnxAttribute.Of("to", (long)OnnxElementType.Int64));
                graph.AddOutput("probability", OnnxElementType.Float, OnnxDim.Batch, 1)
                    .AddOutput("label", OnnxElementType.Int64, OnnxDim.Batch, 1);
                break;
            case OutputActivation.Softmax:
                var probabilities = network.AppendTo(graph, InputName, "probabilities");
                graph.AddNode("ArgMax", [probabilities], "label", OnnxAttribute.Of("axis", 1L), OnnxAttribute.Of("keepdims", 0L));
                graph.AddOutput("probabilities", OnnxElementType.Float, OnnxDim.Batch, network.OutputWidth)
                    .AddOutput("label", OnnxElementType.Int64, OnnxDim.Batch);
                break;
        }

        return graph.Build();
    }

    public static IReadOnlyList<ExpectedOutput> Expected(DenseNetwork network, float[] features, int rows)
    {
        var outputs = network.Predict(features, rows);
        var width = network.OutputWidth;
        return network.Activation switch
        {
            OutputActivation.Identity => [new("prediction", [rows, width], outputs)],
            OutputActivation.Sigmoid =>
            [
                new("probability", [rows, 1], outputs),
                new("label", [rows, 1], outputs.Select(p => p > 0.5f ? 1L : 0L).ToArray()),
            ],
            _ =>
            [
                new("probabilities", [rows, width], outputs),
                new("label", [rows], Enumerable.Range(0, rows).Select(r => (long)Dataset.ArgMax(outputs.AsSpan(r * width, width))).ToArray()),
            ],
        };
    }
}
