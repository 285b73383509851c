using Serverless.Core.Errors;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Cache;

/// <summary>A request's hold on a loaded model; dispose it when the request is done with the model.</summary>
/// <param name="loadedForThisCall">The version was not loaded when the call asked for it: the call started its load or waited for it.</param>
public sealed class ModelLease(ILoadedModel model, bool loadedForThisCall = false) : IDisposable
{
    private int _released;

    public ILoadedModel Model { get; } = model;

    /// <summary>The version was not loaded yet when this lease was asked for (a cache miss): the call started or waited for the load.</summary>
    public bool LoadedForThisCall { get; } = loadedForThisCall;

    /// <summary>The graph the tensor API runs (<see cref="ILoadedModel.Graph"/>); a 400 for a generator.</summary>
    public LoadedModel Graph => Model.Graph ?? throw new WrongModelKindException(Model.Key, Model.Kind, "a tensor model");

    /// <summary>The model as an encoder; a 400 when it is another kind.</summary>
    public IEmbeddingModel Embedding => Model as IEmbeddingModel ?? throw new WrongModelKindException(Model.Key, Model.Kind, "an embedding model");

    /// <summary>The model as a generator; a 400 when it is another kind.</summary>
    public IGenerativeModel Generative => Model as IGenerativeModel ?? throw new WrongModelKindException(Model.Key, Model.Kind, "a generative model");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.Lifetime.Release();
        }
    }
}
