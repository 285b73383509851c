using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// Where ONNX Runtime's optimized graph of a model is kept between cold starts. The first session of a model
/// saves its optimized graph; later cold starts open that file with optimizations off, skipping graph rewriting.
/// Keyed by the model's content id (ETag or size and time), the ONNX Runtime version, the execution provider and
/// the CPU's instruction sets, because an optimized graph may hold kernels specific to all of them (ONNX Runtime
/// warns that NCHWc layouts are hardware specific) and the data folder may sit on storage shared by other machines.
/// </summary>
public sealed class OptimizedModelCache(IOptions<StorageOptions> storage, ILogger<OptimizedModelCache> logger)
{
    private readonly ConcurrentDictionary<string, byte> _saving = new(StringComparer.Ordinal);

    private static readonly string RuntimeVersion = OrtEnv.Instance().GetVersionString();

    private static readonly string CpuSignature = string.Join(",",
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture,
        System.Runtime.Intrinsics.X86.Avx2.IsSupported, System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
        System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported);

    public string PathFor(ModelKey key, ModelFile file, string executionProvider)
    {
        var identity = $"{file.ContentId}|{file.Length}|{RuntimeVersion}|{executionProvider}|{CpuSignature}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..24];
        return Path.Combine(storage.Value.DataDirectory, "optimized-models", key.Name,
            key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{hash}.onnx");
    }

    /// <summary>
    /// Writes the optimized graph of <paramref name="modelPath"/> to <paramref name="optimizedPath"/> off the request
    /// path, once per path at a time: a temporary name, published by rename only when complete, so a crash or a
    /// concurrent reader never sees half a graph.
    /// </summary>
    public void SaveInBackground(ModelKey key, string modelPath, string optimizedPath, Func<SessionOptions> createOptions)
    {
        if (!_saving.TryAdd(optimizedPath, 0))
        {
            return;
        }
        var path = optimizedPath;
        _ = Task.Run(() =>
        {
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var sessionOptions = createOptions();
                sessionOptions.OptimizedModelFilePath = temporary;
                using (new InferenceSession(modelPath, sessionOptions))
                {
                }
                File.Move(temporary, path, overwrite: true);
                logger.LogInformation("Saved the optimized graph of {Model} v{Version} to {Path}", key.Name, key.Version, path);
            }
            catch (Exception e) when (e is OnnxRuntimeException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Saving the optimized graph of {Model} v{Version} failed; later cold starts optimize again: {Reason}", key.Name, key.Version, e.Message);
            }
            finally
            {
                File.Delete(temporary);
                _saving.TryRemove(path, out _);
            }
        });
    }
}
