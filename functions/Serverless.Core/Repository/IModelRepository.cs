namespace Serverless.Core.Repository;

/// <summary>Where models live: <c>&lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> (with any external-data files beside it) plus an optional <c>&lt;repo&gt;/&lt;model&gt;/config.json</c>.</summary>
public interface IModelRepository
{
    /// <summary>Where this repository points, for logs and errors.</summary>
    string Location { get; }

    Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Versions that hold a model.onnx, ascending; empty when the model does not exist.</summary>
    Task<IReadOnlyList<long>> ListVersionsAsync(string model, CancellationToken cancellationToken = default);

    Task<ModelConfig> ReadConfigAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the whole version folder available on local disk (every file under <c>&lt;model&gt;/&lt;version&gt;/</c>,
    /// downloaded once for a remote repository), reporting its size and bytes to <paramref name="progress"/>.
    /// </summary>
    Task<ModelFile> FetchAsync(ModelKey key, ModelFetchProgress? progress = null, CancellationToken cancellationToken = default);
}
