namespace Serverless.Core.Cache;

/// <summary>
/// What a model version is, decided from its version folder when it is loaded: a graph of tensors in and out
/// (the Open Inference Protocol's models), a text encoder that turns text into one vector per input, or a text
/// generator (an ONNX Runtime GenAI folder). All three are held by the same registry, budgets, leases and statistics.
/// </summary>
public enum ModelKind
{
    Tensor,
    Embedding,
    Generative,
}

public static class ModelKinds
{
    /// <summary>The kind's name on the wire (metadata, repository index, /config, /v1/models).</summary>
    public static string WireName(this ModelKind kind) => kind switch
    {
        ModelKind.Embedding => "embedding",
        ModelKind.Generative => "generative",
        _ => "tensor",
    };
}
