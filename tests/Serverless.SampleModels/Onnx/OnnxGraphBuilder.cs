namespace Serverless.SampleModels.Onnx;

/// <summary>Collects nodes, initializers, inputs and outputs in the order they are added, so the bytes are reproducible.</summary>
public sealed class OnnxGraphBuilder(string name)
{
    private readonly List<OnnxNode> nodes = [];
    private readonly List<OnnxInitializer> initializers = [];
    private readonly List<OnnxValueInfo> inputs = [];
    private readonly List<OnnxValueInfo> outputs = [];

    public OnnxGraphBuilder AddInput(string tensorName, OnnxElementType elementType, params OnnxDim[] shape)
    {
        inputs.Add(new OnnxValueInfo(tensorName, elementType, shape));
        return this;
    }

    /// <summary>An input of type <c>optional(tensor(...))</c>; the graph needs opset 15 or later to read it.</summary>
    public OnnxGraphBuilder AddOptionalInput(string tensorName, OnnxElementType elementType, params OnnxDim[] shape)
    {
        inputs.Add(new OnnxValueInfo(tensorName, elementType, shape, Optional: true));
        return this;
    }

    /// <summary>Lists an initializer among the graph's inputs as well, as exporters for IR versions before 4 had to.</summary>
    public OnnxGraphBuilder AddInitializerAsInput(string tensorName)
    {
        var initializer = initializers.Single(i => i.Name == tensorName);
        inputs.Add(new OnnxValueInfo(tensorName, OnnxElementType.Float, initializer.Dims.Select(d => (OnnxDim)d).ToArray()));
        return this;
    }

    public OnnxGraphBuilder AddOutput(string tensorName, OnnxElementType elementType, params OnnxDim[] shape)
    {
        outputs.Add(new OnnxValueInfo(tensorName, elementType, shape));
        return this;
    }

    /// <returns>The initializer's name, to pass as a node input.</returns>
    public string AddInitializer(string tensorName, float[] values, params long[] dims)
    {
        var count = dims.Aggregate(1L, (product, dim) => product * dim);
        if (count != values.Length)
        {
            throw new ArgumentException($"initializer '{tensorName}': shape [{string.Join(", ", dims)}] holds {count} values, got {values.Length}");
        }

        initializers.Add(new OnnxInitializer(tensorName, dims, values));
        return tensorName;
    }

    /// <summary>An INT64 constant (a shape, axes, an index); no dims makes a scalar.</summary>
    /// <returns>The initializer's name, to pass as a node input.</returns>
    public string AddInt64Initializer(string tensorName, long[] values, params long[] dims)
    {
        var count = dims.Aggregate(1L, (product, dim) => product * dim);
        if (count != values.Length)
        {
            throw new ArgumentException($"initializer '{tensorName}': shape [{string.Join(", ", dims)}] holds {count} values, got {values.Length}");
        }

        initializers.Add(new OnnxInitializer(tensorName, dims, []) { Int64Values = values });
        return tensorName;
    }

    /// <returns>The node's output name, so single-output nodes chain.</returns>
    public string AddNode(string opType, string[] nodeInputs, string output, params OnnxAttribute[] attributes)
    {
        nodes.Add(new OnnxNode(opType, nodeInputs, [output], attributes));
        return output;
    }

    public OnnxGraph Build() => new(name, [.. nodes], [.. initializers], [.. inputs], [.. outputs]);

    public OnnxGraph Build(long irVersion, long opsetVersion) => Build() with { IrVersion = irVersion, OpsetVersion = opsetVersion };
}
