using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Core.Errors;

/// <summary>
/// The call asks a model for what its kind does not do (tensors from a generator, embeddings from a tensor model):
/// the caller's to fix, so a 400 that names the kind and the routes that serve it.
/// </summary>
public sealed class WrongModelKindException(ModelKey key, ModelKind kind, string wanted)
    : ServerlessException($"model {key} is {Article(kind)} {kind.WireName()} model, not {wanted}; {RoutesFor(key, kind)}", 400)
{
    public ModelKind Kind { get; } = kind;

    private static string Article(ModelKind kind) => kind == ModelKind.Embedding ? "an" : "a";

    private static string RoutesFor(ModelKey key, ModelKind kind) => kind switch
    {
        ModelKind.Embedding => "call POST /v1/embeddings (or send token ids as tensors to /v2/models/" + key.Name + "/infer)",
        ModelKind.Generative => "call POST /v1/chat/completions, /v1/completions or /v2/models/" + key.Name + "/generate",
        _ => "call POST /v2/models/" + key.Name + "/infer",
    };
}
