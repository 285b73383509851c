using Serverless.SampleModels.Onnx;

namespace Serverless.Benchmarks;

/// <summary>
/// A temporary repository with a one-node Relu model over FP32 [batch, 262144]: one row is 1 MB, and the model costs
/// next to nothing, so a round trip measures the wire format rather than compute.
/// </summary>
public sealed class LargeTensorRepository : IDisposable
{
    public const string Model = "relu-1mb";
    public const string InputName = "x";
    public const string OutputName = "y";
    public const int Width = 262_144;

    public LargeTensorRepository()
    {
        var graph = new OnnxGraphBuilder("relu")
            .AddInput(InputName, OnnxElementType.Float, OnnxDim.Batch, Width)
            .AddOutput(OutputName, OnnxElementType.Float, OnnxDim.Batch, Width);
        graph.AddNode("Relu", [InputName], OutputName);
        Directory.CreateDirectory(System.IO.Path.Combine(Root, Model, "1"));
        File.WriteAllBytes(System.IO.Path.Combine(Root, Model, "1", "model.onnx"), OnnxModelWriter.Write(graph.Build()));
    }

    public string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "serverless-1mb-" + Guid.NewGuid().ToString("N"));

    /// <summary>One 1 MB row of random values in [-1, 1), as JSON numbers (shortest round-trip text).</summary>
    public static byte[] JsonRequest() =>
        System.Text.Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,262144],\"datatype\":\"FP32\",\"data\":["
            + string.Join(",", Row().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]}]}");

    /// <summary>The same row as binary tensor data, asking for the output in binary too.</summary>
    public static byte[] BinaryRequest(out int headerLength)
    {
        var header = System.Text.Encoding.UTF8.GetBytes($$$"""{"inputs":[{"name":"x","shape":[1,{{{Width}}}],"datatype":"FP32","parameters":{"binary_data_size":{{{Width * 4}}}}}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}""");
        headerLength = header.Length;
        return [.. header, .. System.Runtime.InteropServices.MemoryMarshal.AsBytes(Row().AsSpan())];
    }

    private static float[] Row()
    {
        var random = new Random(5);
        var row = new float[Width];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = random.NextSingle() * 2 - 1;
        }
        return row;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
