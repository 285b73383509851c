using Microsoft.ML.OnnxRuntime;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// Loads ONNX Runtime's native library and creates its process-wide environment on a thread-pool thread, so a cold
/// instance's first request does not pay for it on its own path: it finds the environment ready, or waits for the one
/// being created (OrtEnv.Instance is single-flight), never creates a second.
/// </summary>
public static class OnnxRuntimePreload
{
    public static Task StartInBackground() => Task.Run(() => { OrtEnv.Instance(); });
}
