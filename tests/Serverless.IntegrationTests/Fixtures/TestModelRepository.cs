using Serverless.SampleModels.Onnx;

namespace Serverless.Tests.Fixtures;

/// <summary>
/// A temporary model repository of small graphs written with the project's ONNX writer, for what the sample models do
/// not have: string tensors, initializers listed as inputs, inputs of ONNX's optional type.
/// </summary>
public sealed class TestModelRepository : IDisposable
{
    /// <summary>text STRING [batch] -> Identity -> same STRING [batch].</summary>
    public const string Echo = "text-echo";

    /// <summary>text STRING [batch, 2] -> Cast -> value FP32 [batch, 2] -> Cast -> back STRING [batch, 2].</summary>
    public const string NumbersAsText = "numbers-as-text";

    /// <summary>x FP32 [batch, 2] + w (initializer [10, 20], listed as an input), IR 8: w is an overridable default.</summary>
    public const string Defaults = "with-defaults";

    /// <summary>The same graph as IR 3, which listed every initializer as an input; ONNX Runtime keeps w constant there.</summary>
    public const string DefaultsIr3 = "with-defaults-ir3";

    /// <summary>maybe optional(FP32 [batch]) -> OptionalHasElement -> has BOOL []; x FP32 [batch] -> Identity -> y.</summary>
    public const string OptionalInput = "optional-input";

    public TestModelRepository(params (string Model, string Config)[] configs)
    {
        Write(Echo, EchoGraph());
        Write(NumbersAsText, NumbersAsTextGraph());
        Write(Defaults, DefaultsGraph().Build());
        Write(DefaultsIr3, DefaultsGraph().Build(irVersion: 3, opsetVersion: 8));
        Write(OptionalInput, OptionalInputGraph());
        foreach (var (model, config) in configs)
        {
            File.WriteAllText(Path.Combine(Root, model, "config.json"), config);
        }
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "serverless-models-" + Guid.NewGuid().ToString("N"));

    private void Write(string model, OnnxGraph graph)
    {
        Directory.CreateDirectory(Path.Combine(Root, model, "1"));
        File.WriteAllBytes(Path.Combine(Root, model, "1", "model.onnx"), OnnxModelWriter.Write(graph));
    }

    private static OnnxGraph EchoGraph()
    {
        var graph = new OnnxGraphBuilder("echo")
            .AddInput("text", OnnxElementType.String, OnnxDim.Batch)
            .AddOutput("same", OnnxElementType.String, OnnxDim.Batch);
        graph.AddNode("Identity", ["text"], "same");
        return graph.Build();
    }

    private static OnnxGraph NumbersAsTextGraph()
    {
        var graph = new OnnxGraphBuilder("numbers-as-text")
            .AddInput("text", OnnxElementType.String, OnnxDim.Batch, 2)
            .AddOutput("value", OnnxElementType.Float, OnnxDim.Batch, 2)
            .AddOutput("back", OnnxElementType.String, OnnxDim.Batch, 2);
        // Cast's "to" is a TensorProto.DataType: FLOAT = 1, STRING = 8.
        graph.AddNode("Cast", ["text"], "value", OnnxAttribute.Of("to", (long)OnnxElementType.Float));
        graph.AddNode("Cast", ["value"], "back", OnnxAttribute.Of("to", (long)OnnxElementType.String));
        return graph.Build();
    }

    private static OnnxGraphBuilder DefaultsGraph()
    {
        var graph = new OnnxGraphBuilder("defaults").AddInput("x", OnnxElementType.Float, OnnxDim.Batch, 2);
        graph.AddInitializer("w", [10f, 20f], 2);
        graph.AddInitializerAsInput("w").AddOutput("y", OnnxElementType.Float, OnnxDim.Batch, 2);
        graph.AddNode("Add", ["x", "w"], "y");
        return graph;
    }

    private static OnnxGraph OptionalInputGraph()
    {
        var graph = new OnnxGraphBuilder("optional")
            .AddOptionalInput("maybe", OnnxElementType.Float, OnnxDim.Batch)
            .AddInput("x", OnnxElementType.Float, OnnxDim.Batch)
            .AddOutput("has", OnnxElementType.Bool)
            .AddOutput("y", OnnxElementType.Float, OnnxDim.Batch);
        graph.AddNode("OptionalHasElement", ["maybe"], "has");
        graph.AddNode("Identity", ["x"], "y");
        // OptionalHasElement reads an optional tensor from opset 15 on; IR 8 is the first with optional types.
        return graph.Build(irVersion: 8, opsetVersion: 18);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
