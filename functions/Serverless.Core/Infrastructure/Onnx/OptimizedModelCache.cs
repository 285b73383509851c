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
/// <remarks>
/// Disposed with the app, it waits for the saves it started: a stopped instance leaves no temporary graph behind and
/// holds no file in the data folder once its host has stopped (so the folder can be moved or removed). A save is
/// one optimization of a model already opened once, so the wait is bounded by that.
/// </remarks>
public sealed class OptimizedModelCache(IOptions<StorageOptions> storage, ILogger<OptimizedModelCache> logger) : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, Task> _saving = new(StringComparer.Ordinal);
    private bool _disposed;

    private static readonly string RuntimeVersion = OrtEnv.Instance().GetVersionString();

    private static readonly string CpuSignature = string.Join(",",
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture,
        System.Runtime.Intrinsics.X86.Avx2.IsSupported, System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
        System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported);

    // Part of the key so that graphs saved before their interface was checked (see SaveInBackground) are never opened.
    private const string Format = "interface-checked";

    public string PathFor(ModelKey key, ModelFile file, string executionProvider)
    {
        var identity = $"{file.ContentId}|{file.Length}|{RuntimeVersion}|{executionProvider}|{CpuSignature}|{Format}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..24];
        return Path.Combine(storage.Value.DataDirectory, "optimized-models", key.Name,
            key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{hash}.onnx");
    }

    /// <summary>
    /// Writes the optimized graph of <paramref name="modelPath"/> to <paramref name="optimizedPath"/> off the request
    /// path, once per path at a time: a temporary name, published by rename only when complete, so a crash or a
    /// concurrent reader never sees half a graph.
    /// </summary>
    /// <remarks>
    /// A saved graph is published only when it offers the same interface as the model itself. ONNX Runtime 1.32 writes
    /// the shape constants its optimizer makes for an IR 3 model (onnx_light_squeezenet's <c>fire3/expand1x1_w_0__SHAPE</c>
    /// and 16 more) as graph inputs, so the graph opened on the next start would demand 18 inputs where the model takes
    /// one: a restart would change the answer. Such a model is marked, and its later cold starts optimize as the first did.
    /// </remarks>
    public void SaveInBackground(ModelKey key, string modelPath, string optimizedPath, Func<SessionOptions> createOptions)
    {
        if (File.Exists(UnusableMarker(optimizedPath)))
        {
            return;
        }
        lock (_saving)
        {
            if (_disposed || _saving.ContainsKey(optimizedPath))
            {
                return;
            }
            // Added under the lock before it can run, so its own removal (in Save) always finds it.
            var save = new Task(() => Save(key, modelPath, optimizedPath, createOptions));
            _saving.Add(optimizedPath, save);
            save.Start(TaskScheduler.Default);
        }
    }

    /// <summary>For a container disposed synchronously (which refuses a singleton that is only IAsyncDisposable).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        Task[] saving;
        lock (_saving)
        {
            _disposed = true;
            saving = [.. _saving.Values];
        }
        try
        {
            await Task.WhenAll(saving).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning("Saving an optimized graph failed while the app stopped: {Reason}", e.Message);
        }
    }

    private void Save(ModelKey key, string modelPath, string path, Func<SessionOptions> createOptions)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var sessionOptions = createOptions();
            sessionOptions.OptimizedModelFilePath = temporary;
            string? difference;
            using (var original = new InferenceSession(modelPath, sessionOptions))
            {
                using var savedOptions = createOptions();
                savedOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
                using var saved = new InferenceSession(temporary, savedOptions);
                difference = InterfaceDifference(original, saved);
            }
            if (difference is not null)
            {
                File.WriteAllText(UnusableMarker(path), difference);
                logger.LogInformation("The optimized graph of {Model} v{Version} is not kept: opened again, {Difference}; cold starts optimize the model itself", key.Name, key.Version, difference);
                return;
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
            lock (_saving)
            {
                _saving.Remove(path);
            }
        }
    }

    private static string UnusableMarker(string optimizedPath) => optimizedPath + ".unusable";

    /// <summary>What a caller would see change (inputs, overridable initializers, outputs: names, types, shapes), or null.</summary>
    private static string? InterfaceDifference(InferenceSession original, InferenceSession saved) =>
        Difference("inputs", original.InputMetadata, saved.InputMetadata)
        ?? Difference("initializer inputs", original.OverridableInitializerMetadata, saved.OverridableInitializerMetadata)
        ?? Difference("outputs", original.OutputMetadata, saved.OutputMetadata);

    private static string? Difference(string what, IReadOnlyDictionary<string, NodeMetadata> original, IReadOnlyDictionary<string, NodeMetadata> saved)
    {
        static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) => string.Join(", ", nodes.Select(n =>
            n.Value.IsTensor ? $"{n.Key} {n.Value.ElementDataType}[{string.Join(",", n.Value.Dimensions)}]" : $"{n.Key} {n.Value.OnnxValueType}"));
        var (before, after) = (Describe(original), Describe(saved));
        return before == after ? null : $"its {what} are ({after}) where the model's are ({before})";
    }
}
