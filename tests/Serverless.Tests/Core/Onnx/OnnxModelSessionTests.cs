using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Onnx;

/// <summary>The real ONNX Runtime on the sample iris MLP (features FP32 [-1, 4]), opened directly, without the validator in front.</summary>
[Trait("Category", OnnxRuntimeBuild.Trait)]
public sealed class OnnxModelSessionTests
{
    private static readonly string IrisModel = Path.Combine(RepositoryPaths.SampleModels, "iris-mlp", "1", "model.onnx");
    private static readonly float[] TwoRows = [5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f];

    private static OnnxModelSession Open(bool ioBinding)
    {
        var options = new SessionOptions();
        return new OnnxModelSession(new ModelKey("iris-mlp", 1), new InferenceSession(IrisModel, options), options, ExecutionProvider.Cpu, ioBinding: ioBinding);
    }

    private static InferenceTensor Features(float[] values, long[] shape) =>
        new("features", TensorDataType.FP32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    [Fact]
    public void Run_ThroughIoBinding_GivesTheSameOutputsAsPlainRun()
    {
        using var plain = Open(ioBinding: false);
        using var bound = Open(ioBinding: true);
        var names = plain.Outputs.Select(o => o.Name).ToList();

        var expected = plain.Run([Features(TwoRows, [2, 4])], names);
        var actual = bound.Run([Features(TwoRows, [2, 4])], names);

        for (var i = 0; i < names.Count; i++)
        {
            Assert.Equal(expected.Outputs[i].Name, actual.Outputs[i].Name);
            Assert.Equal(expected.Outputs[i].Shape, actual.Outputs[i].Shape);
            Assert.Equal(expected.Outputs[i].Data.ToArray(), actual.Outputs[i].Data.ToArray());
        }
        expected.Buffers?.Dispose();
        actual.Buffers?.Dispose();
    }

    [NeedsSharedFact]
    public void Run_SameInputAtAnyAddress_GivesBitIdenticalOutputs()
    {
        // A layer normalization whose vectorized reduction rounds differently when its input is misaligned (ONNX Runtime
        // 1.32: Mean[1] differs in the last bit between a buffer at 0 and at 8 mod 16).
        const string name = "test_layer_normalization_4d_axis_negative_1_expanded";
        var options = new SessionOptions();
        using var session = new OnnxModelSession(new ModelKey(name, 1),
            new InferenceSession(Path.Combine(RepositoryPaths.Conformance, "models", name, "1", "model.onnx"), options), options, ExecutionProvider.Cpu);
        var request = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Conformance, "cases", name, "request.json")));
        var inputs = request.RootElement.GetProperty("inputs").EnumerateArray().Select(i => (
            Name: i.GetProperty("name").GetString()!,
            Shape: i.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
            Bytes: System.Runtime.InteropServices.MemoryMarshal.AsBytes(i.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray().AsSpan()).ToArray())).ToList();
        var names = session.Outputs.Select(o => o.Name).ToList();

        byte[][] RunAt(int offset)
        {
            // Every input placed `offset` bytes into a larger array: addresses that cover every residue mod 64 in steps of 4.
            var placed = inputs.Select(i =>
            {
                var array = new byte[i.Bytes.Length + 64];
                i.Bytes.CopyTo(array, offset);
                return new InferenceTensor(i.Name, TensorDataType.FP32, i.Shape, array.AsMemory(offset, i.Bytes.Length));
            }).ToList();
            var result = session.Run(placed, names);
            var outputs = result.Outputs.Select(o => o.Data.ToArray()).ToArray();
            result.Buffers?.Dispose();
            return outputs;
        }

        var first = RunAt(0);
        for (var offset = 4; offset < 64; offset += 4)
        {
            var other = RunAt(offset);
            for (var o = 0; o < names.Count; o++)
            {
                Assert.True(first[o].AsSpan().SequenceEqual(other[o]), $"{names[o]} differs with the input at offset {offset}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_InputOrtRejectsAsInvalidArgument_Is400(bool ioBinding)
    {
        using var session = Open(ioBinding);

        // Three features where the graph fixes four: ORT's InvalidArgument, the caller's to fix.
        var error = Assert.Throws<InvalidInferenceInputException>(() => session.Run([Features([1f, 2f, 3f], [1, 3])], [session.Outputs[0].Name]));

        Assert.Contains("model iris-mlp v1 rejected the input: Got invalid dimensions for input: features", error.Message);
    }
}
