namespace Serverless.Core.Repository;

/// <summary>Where models live: <c>&lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> plus an optional <c>&lt;repo&gt;/&lt;model&gt;/config.json</c>.</summary>
public interface IModelRepository
{
    /// <summary>Where this repository points, for logs and errors.</summary>
    string Location { get; }

    Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Versions that hold a model.onnx, ascending; empty when the model does not exist.</summary>
    Task<IReadOnlyList<long>> ListVersionsAsync(string model, CancellationToken cancellationToken = default);

    Task<ModelConfig> ReadConfigAsync(string model, CancellationToken cancellationToken = default);

    /// <summary>Makes the model file available on local disk (downloading it once for a remote repository).</summary>
    Task<ModelFile> FetchAsync(ModelKey key, CancellationToken cancellationToken = default);
}
