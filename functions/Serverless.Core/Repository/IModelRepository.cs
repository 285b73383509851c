namespace Serverless.Core.Repository;

/// <summary>Where models live: <c>&lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> (with any external-data files beside it) plus an optional <c>&lt;repo&gt;/&lt;model&gt;/config.json</c>.</summary>
public interface IModelRepository
{
    /// <summary>Where this repository points, for logs and errors.</summary>
    string Location { get; }

    Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Versions that hold a model.onnx or a genai_config.json, ascending; empty when the model does not exist.</summary>
    Task<IReadOnlyList<long>> ListVersionsAsync(string model, CancellationToken cancellationToken = default);

    Task<ModelConfig> ReadConfigAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the whole version folder available on local disk (every file under <c>&lt;model&gt;/&lt;version&gt;/</c>,
    /// downloaded once for a remote repository), reporting its size and bytes to <paramref name="progress"/>.
    /// </summary>
    Task<ModelFile> FetchAsync(ModelKey key, ModelFetchProgress? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The <see cref="ModelFile.ContentId"/> the version has in the repository now, found without fetching it, so an
    /// explicit load can tell whether a loaded version was replaced. Null when the repository cannot tell (then a
    /// loaded version is kept).
    /// </summary>
    Task<string?> GetContentIdAsync(ModelKey key, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
}
