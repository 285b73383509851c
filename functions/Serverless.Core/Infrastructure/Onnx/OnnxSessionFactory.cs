using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>Opens ONNX Runtime sessions on the provider and with the threads of the layout the loader decided.</summary>
public sealed class OnnxSessionFactory(ExecutionProviderSelector providers, OptimizedModelCache optimizedModels,
    IOptions<InferenceOptions> options, ILogger<OnnxSessionFactory> logger) : IModelSessionFactory
{
    // Some of ONNX Runtime's warnings go to its process-wide logger, not the session's, and so to stderr on every first
    // load (e.g. that a saved optimized graph is hardware specific, which OptimizedModelCache's key accounts for).
    private static readonly Lazy<bool> RuntimeQuieted = new(() =>
    {
        OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        return true;
    });

    public ExecutionProvider ProviderFor(ModelKey key, ModelConfig config)
    {
        var gpu = config.Gpu ?? GpuConfig.Default;
        gpu.Validate(key);
        // A model's own "auto" defers to the server setting; only an explicit cuda or cpu overrides it.
        var requested = config.ExecutionProvider is { } own && !own.Equals("auto", StringComparison.OrdinalIgnoreCase) ? own : options.Value.ExecutionProvider.ToString();
        return providers.Choose(requested, key, gpu);
    }

    public IModelSession Open(ModelKey key, ModelFile file, ModelConfig config, BatchingLayout layout)
    {
        _ = RuntimeQuieted.Value;
        var externalData = ExternalDataCheck.Verify(key, file.Path);
        var sessionOptions = CreateOptions(key, config, layout);
        try
        {
            var session = OpenSession(key, file, externalData, layout.Provider, sessionOptions, out var saveOptimized, () => CreateOptions(key, config, layout));
            // An IO binding only pays where inputs cross to a device; on the CPU it would be an extra step.
            var ioBinding = layout.Provider == ExecutionProvider.Cuda && (config.Gpu ?? GpuConfig.Default).IoBinding;
            // Serializing the optimized graph costs as much as opening the model again: it starts once the first
            // request has been served (the run after the warm-up run, when there is one), so that request does not
            // share the cores with it and only later cold starts benefit.
            return new OnnxModelSession(key, session, sessionOptions, layout.Provider, saveOptimized, servingRun: config.Warmup ? 2 : 1, ioBinding);
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private SessionOptions CreateOptions(ModelKey key, ModelConfig config, BatchingLayout layout)
    {
        var gpu = config.Gpu ?? GpuConfig.Default;
        gpu.Validate(key);
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogId = key.ToString(),
            // ONNX Runtime's own warnings (e.g. that a saved optimized graph is hardware specific, which the
            // cache key accounts for) would go to stderr on every load; our logs say what happened instead.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            ExecutionProviderSelector.Append(sessionOptions, layout.Provider, gpu);
            if (layout.IntraOpThreads is > 0 and var intraOp)
            {
                sessionOptions.IntraOpNumThreads = intraOp;
            }
            // Documented session config key (onnxruntime_session_options_config_keys.h).
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.Value.IntraOpSpinning ? "1" : "0");
            if (config.InterOpThreads is > 0 and var interOp)
            {
                sessionOptions.InterOpNumThreads = interOp;
            }
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <param name="saveOptimized">What saves the optimized graph for later cold starts; null when there is nothing to save.</param>
    private InferenceSession OpenSession(ModelKey key, ModelFile file, bool externalData, ExecutionProvider provider, SessionOptions sessionOptions, out Action? saveOptimized, Func<SessionOptions> sameOptions)
    {
        saveOptimized = null;
        var optimized = optimizedModels.PathFor(key, file, provider.WireName());
        // A version with external data is opened from its own folder by path, so ONNX Runtime finds the weights
        // relative to model.onnx. Its optimized graph is not cached: saved elsewhere it would inline every weight
        // (over protobuf's 2 GB limit for the models that need external data) and cost a second copy on disk.
        var cacheOptimized = options.Value.CacheOptimizedModels && !externalData;
        if (cacheOptimized && File.Exists(optimized))
        {
            try
            {
                // Already optimized for this runtime and provider: rewriting the graph again would only cost time.
                sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
                return new InferenceSession(optimized, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                logger.LogWarning("Optimized graph of {Model} v{Version} at {Path} is unusable, rebuilding it: {Reason}", key.Name, key.Version, optimized, e.Message);
                File.Delete(optimized);
                sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
            }
        }
        InferenceSession session;
        try
        {
            session = new InferenceSession(file.Path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"model {key}: ONNX Runtime cannot open the model: {e.Message}", e);
        }
        if (cacheOptimized)
        {
            saveOptimized = () => optimizedModels.SaveInBackground(key, file.Path, optimized, sameOptions);
        }
        return session;
    }
}
