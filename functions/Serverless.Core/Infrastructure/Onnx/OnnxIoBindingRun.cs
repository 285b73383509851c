using Microsoft.ML.OnnxRuntime;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// <c>Run</c> through an <see cref="OrtIoBinding"/> (config.json <c>gpu.io_binding</c>): ONNX Runtime copies each input
/// to the device once when it is bound and writes the outputs straight into host memory, instead of staging both
/// inside <c>Run</c>. Same inputs and outputs as <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>.
/// </summary>
internal static class OnnxIoBindingRun
{
    public static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, RunOptions runOptions,
        string[] names, OrtValue[] values, IReadOnlyList<string> outputNames)
    {
        using var binding = session.CreateIoBinding();
        for (var i = 0; i < names.Length; i++)
        {
            binding.BindInput(names[i], values[i]);
        }
        foreach (var name in outputNames)
        {
            // Host memory: the outputs are copied into pooled arrays next, which needs them on the CPU anyway.
            binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
        }
        binding.SynchronizeBoundInputs();
        session.RunWithBinding(runOptions, binding);
        binding.SynchronizeBoundOutputs();
        // In the order bound, which is the order asked; each value is the caller's to dispose.
        return binding.GetOutputValues();
    }
}
