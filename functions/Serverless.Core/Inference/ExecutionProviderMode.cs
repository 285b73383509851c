namespace Serverless.Core.Inference;

/// <summary>Where sessions run (Inference:ExecutionProvider); a model's config.json may override it with cuda or cpu.</summary>
public enum ExecutionProviderMode
{
    /// <summary>CUDA when this build has it and a GPU answers, else CPU.</summary>
    Auto,

    /// <summary>CUDA, or the load fails with the reason it cannot be used.</summary>
    Cuda,

    Cpu,
}
