using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Inference;

/// <summary>Configuration section <c>Inference</c>.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary><c>auto</c> (CUDA when this build has it and a GPU answers, else CPU), <c>cuda</c> or <c>cpu</c>.</summary>
    public ExecutionProviderMode ExecutionProvider { get; set; } = ExecutionProviderMode.Auto;

    /// <summary>Intra-op threads per session when the model's config.json does not say; 0 lets ONNX Runtime choose.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin waiting for work between runs. Off by default: in a server the
    /// same cores parse requests and write responses, and a spinning thread takes their time (ONNX Runtime's
    /// own default, on, suits a process that does nothing but run the model).
    /// </summary>
    public bool IntraOpSpinning { get; set; }

    /// <summary>Save ONNX Runtime's optimized graph of each model and open it on later cold starts.</summary>
    public bool CacheOptimizedModels { get; set; } = true;
}

/// <summary><see cref="InferenceOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class InferenceOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<InferenceOptions>;
