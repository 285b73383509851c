using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.SampleModels.Verification;

/// <summary>Runs a written model in ONNX Runtime and fails loudly unless it agrees with the C# forward pass.</summary>
internal static class OnnxSelfCheck
{
    // Absolute plus the same relative tolerance, the rule of ../shared/onnx-conformance.
    private const double Tolerance = 1e-4;

    public static void Verify(string model, byte[] onnx, string inputName, float[] features, long[] shape, IReadOnlyList<ExpectedOutput> expected)
    {
        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(features, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [input], [.. expected.Select(e => e.Name)]);
        for (var k = 0; k < expected.Count; k++)
        {
            Compare(model, expected[k], results[k]);
        }
    }

    private static void Compare(string model, ExpectedOutput expected, OrtValue actual)
    {
        var info = actual.GetTensorTypeAndShape();
        if (!info.Shape.SequenceEqual(expected.Shape))
        {
            Fail(model, expected.Name, $"shape [{string.Join(", ", info.Shape)}], expected [{string.Join(", ", expected.Shape)}]");
        }

        switch (expected.Values, info.ElementDataType)
        {
            case (float[] floats, TensorElementType.Float):
                var actualFloats = actual.GetTensorDataAsSpan<float>();
                for (var i = 0; i < floats.Length; i++)
                {
                    if (Math.Abs(actualFloats[i] - floats[i]) > Tolerance * (1 + Math.Abs(floats[i])))
                    {
                        Fail(model, expected.Name, $"[{i}] is {actualFloats[i]} in ONNX Runtime, {floats[i]} in C#");
                    }
                }

                break;
            case (long[] longs, TensorElementType.Int64):
                var actualLongs = actual.GetTensorDataAsSpan<long>();
                for (var i = 0; i < longs.Length; i++)
                {
                    if (actualLongs[i] != longs[i])
                    {
                        Fail(model, expected.Name, $"[{i}] is {actualLongs[i]} in ONNX Runtime, {longs[i]} in C#");
                    }
                }

                break;
            default:
                Fail(model, expected.Name, $"element type {info.ElementDataType} does not match {expected.Values.GetType().Name}");
                break;
        }
    }

    private static void Fail(string model, string output, string detail) =>
        throw new InvalidOperationException($"self-check failed: model '{model}' output '{output}' {detail}");
}
