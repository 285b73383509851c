using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>Opens ONNX Runtime sessions with the configured execution provider and threading.</summary>
public sealed class OnnxSessionFactory(ExecutionProviderSelector providers, IOptions<InferenceOptions> options) : IModelSessionFactory
{
    public IModelSession Open(ModelKey key, ModelFile file, ModelConfig config)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogId = key.ToString(),
        };
        try
        {
            var intraOp = config.IntraOpThreads ?? options.Value.IntraOpThreads;
            if (intraOp > 0)
            {
                sessionOptions.IntraOpNumThreads = intraOp;
            }
            if (config.InterOpThreads is > 0 and var interOp)
            {
                sessionOptions.InterOpNumThreads = interOp;
            }
            // A model's own "auto" defers to the server setting; only an explicit cuda or cpu overrides it.
            var requested = config.ExecutionProvider is { } own && !own.Equals("auto", StringComparison.OrdinalIgnoreCase) ? own : options.Value.ExecutionProvider;
            var provider = providers.Apply(sessionOptions, requested, key);
            InferenceSession session;
            try
            {
                session = new InferenceSession(file.Path, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelLoadException($"model {key}: ONNX Runtime cannot open the model: {e.Message}", e);
            }
            return new OnnxModelSession(key, session, sessionOptions, provider);
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }
}
