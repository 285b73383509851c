using Microsoft.ML.OnnxRuntime;

namespace Serverless.LoadGenerator;

/// <summary>
/// The bare app's one model (<c>floor --model PATH</c>): an ONNX Runtime session opened by the first request, as the
/// app opens a model lazily, with the app's default session settings (all graph optimisations, no intra-op spinning),
/// then one Run a request on the request's floats as a <c>[1, n]</c> FP32 tensor. It makes the start-up floor "a bare
/// app that answers one inference": what no server of the same model can start faster than.
/// </summary>
public sealed class BareModel(string path)
{
    private readonly Lazy<InferenceSession> _session = new(() => Open(path), LazyThreadSafetyMode.ExecutionAndPublication);
    // One for every Run: a RunOptions holds a native handle, not to be made per request.
    private readonly RunOptions _run = new();

    public void Run(float[] values, int count)
    {
        var session = _session.Value;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values.AsMemory(0, count), [1, count]);
        using var outputs = session.Run(_run, [session.InputNames[0]], [input], session.OutputNames);
    }

    private static InferenceSession Open(string path)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(path, options);
    }
}
