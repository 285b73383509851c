using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>
/// A model repository in a blob container (optionally under a prefix). A version is every blob under
/// <c>&lt;model&gt;/&lt;version&gt;/</c>, downloaded once into a local cache folder that survives restarts
/// (<see cref="DownloadedModelCache"/>) and reused while no blob's ETag changed.
/// </summary>
public sealed class BlobModelRepository : IModelRepository
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly string _cacheRoot;
    private readonly ILogger _logger;
    private readonly VersionFolderWarnings _ignored;
    private readonly DownloadedModelCache _downloaded;
    private readonly StorageTransferOptions _transfer;

    /// <param name="transfer">Parallel ranged reads for large blobs (Models:DownloadConcurrency, Models:DownloadChunkBytes).</param>
    public BlobModelRepository(BlobContainerClient container, string prefix, string cacheDirectory, StorageTransferOptions transfer, ILogger<BlobModelRepository> logger)
    {
        _container = container;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        _logger = logger;
        _ignored = new VersionFolderWarnings(logger);
        Location = _container.Uri + (_prefix.Length > 0 ? "/" + _prefix.TrimEnd('/') : "");
        // One cache folder per repository location, so two repositories never share cached files.
        var locationHash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Location)))[..16];
        _cacheRoot = Path.Combine(cacheDirectory, locationHash);
        _downloaded = new DownloadedModelCache(_cacheRoot, logger);
        _transfer = transfer;
    }

    public string Location { get; }

    /// <summary>Files downloaded so far; tests use it to check single-flight loading and reuse after a restart.</summary>
    public int Downloads => _downloaded.Downloads;

    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var models = new List<string>();
        await foreach (var item in WrapStorageErrors(_container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", _prefix, cancellationToken)))
        {
            if (item.IsPrefix)
            {
                var name = item.Prefix[_prefix.Length..].TrimEnd('/');
                if (ModelName.IsValid(name))
                {
                    models.Add(name);
                }
            }
        }
        models.Sort(StringComparer.Ordinal);
        return models;
    }

    public async Task<IReadOnlyList<long>> ListVersionsAsync(string model, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(model);
        var modelPrefix = $"{_prefix}{model}/";
        var versions = new List<long>();
        await foreach (var blob in WrapStorageErrors(_container.GetBlobsAsync(BlobTraits.None, BlobStates.None, modelPrefix, cancellationToken)))
        {
            // <version>/model.onnx (or genai_config.json) directly below the model folder.
            var rest = blob.Name.AsSpan(modelPrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0 && ModelRepositoryLayout.MarksVersion(rest[(slash + 1)..]))
            {
                if (ModelRepositoryLayout.TryParseVersion(rest[..slash].ToString(), out var version))
                {
                    versions.Add(version);
                }
                else
                {
                    _ignored.Ignored(model, rest[..slash].ToString());
                }
            }
        }
        versions.Sort();
        return versions;
    }

    public async Task<ModelConfig> ReadConfigAsync(string model, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(model);
        var blob = _container.GetBlobClient($"{_prefix}{model}/{ModelRepositoryLayout.ConfigFileName}");
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            return ModelConfig.Parse(model, content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return ModelConfig.Default;
        }
        catch (RequestFailedException e)
        {
            _logger.LogWarning("Reading config.json of {Model} from {Repository} failed: {Reason}", model, Location, e.Message);
            throw new ModelLoadException($"model '{model}': reading config.json from the model repository failed: {FirstLine(e)}", e);
        }
    }

    public async Task<ModelFile> FetchAsync(ModelKey key, ModelFetchProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(key.Name);
        var versionPrefix = $"{_prefix}{key.Name}/{key.Version.ToString(CultureInfo.InvariantCulture)}/";
        var files = await ListVersionFilesAsync(key, versionPrefix, cancellationToken);
        if (!files.Any(f => ModelRepositoryLayout.MarksVersion(f.RelativePath)))
        {
            throw new ModelNotFoundException($"model '{key.Name}' has no version {key.Version} in the model repository");
        }
        return await _downloaded.GetAsync(key, files,
            (file, destination, received, token) => DownloadAsync(key, versionPrefix + file.RelativePath, file, destination, received, token),
            progress, cancellationToken);
    }

    /// <summary>One listing of the version's blobs: their ETags say whether the version changed.</summary>
    public async Task<string?> GetContentIdAsync(ModelKey key, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(key.Name);
        var files = await ListVersionFilesAsync(key, $"{_prefix}{key.Name}/{key.Version.ToString(CultureInfo.InvariantCulture)}/", cancellationToken);
        return files.Count == 0 ? null : DownloadedModelCache.ContentId(files);
    }

    /// <summary>Every blob under the version's prefix, model.onnx and external data alike, with the ETag each download is pinned to.</summary>
    private async Task<List<RemoteModelFile>> ListVersionFilesAsync(ModelKey key, string versionPrefix, CancellationToken cancellationToken)
    {
        var files = new List<RemoteModelFile>();
        await foreach (var blob in WrapStorageErrors(_container.GetBlobsAsync(BlobTraits.None, BlobStates.None, versionPrefix, cancellationToken)))
        {
            var relative = blob.Name[versionPrefix.Length..];
            // A blob name is any string: one that would land outside the version's cache folder is refused, never written.
            if (ModelRepositoryLayout.ResolveInside(_cacheRoot, relative) is null)
            {
                throw new ModelLoadException($"model {key}: blob '{blob.Name}' has a name that cannot be a file inside the version folder");
            }
            files.Add(new RemoteModelFile(relative, blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString() ?? "", blob.Properties.ContentHash));
        }
        // Hierarchical namespaces list each directory as an empty blob; it is a folder of the other files, not a file.
        files.RemoveAll(f => f.Length == 0 && files.Any(other => other.RelativePath.StartsWith(f.RelativePath + "/", StringComparison.Ordinal)));
        return files;
    }

    private async Task DownloadAsync(ModelKey key, string blobName, RemoteModelFile file, Stream destination, IProgress<long> received, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(blobName);
        try
        {
            await blob.DownloadToAsync(destination, new BlobDownloadToOptions
            {
                // Pinned to the listed ETag: a blob replaced mid-download fails instead of mixing versions.
                Conditions = new BlobRequestConditions { IfMatch = new ETag(file.ETag) },
                TransferOptions = _transfer,
                ProgressHandler = received,
            }, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            _logger.LogWarning("Downloading {Blob} failed: {Reason}", blob.Uri, e.Message);
            throw new ModelLoadException($"model {key}: downloading {file.RelativePath} failed: {FirstLine(e)}", e);
        }
    }

    /// <summary>A storage error's first line says what went wrong; the rest is request ids, times and response headers.</summary>
    private static string FirstLine(RequestFailedException e) => e.Message.Split('\n', 2)[0].Trim();

    private async IAsyncEnumerable<T> WrapStorageErrors<T>(AsyncPageable<T> pageable) where T : notnull
    {
        var enumerator = pageable.GetAsyncEnumerator();
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException e)
                {
                    _logger.LogWarning("Listing the model repository {Repository} failed: {Reason}", Location, e.Message);
                    throw new ModelLoadException($"listing the model repository failed: {FirstLine(e)}", e);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A 2xx the SDK cannot parse (a proxy's or captive portal's HTML page, a truncated listing) is the
                    // store failing to answer, as a storage error is: the model's 503, not a 500 from deep in the SDK.
                    // Caught wide on purpose: Azure.Storage.Blobs 12.30 throws a NullReferenceException for an HTML body.
                    _logger.LogWarning(e, "Listing the model repository {Repository} returned a response that is not a blob listing", Location);
                    throw new ModelLoadException("listing the model repository failed: the storage endpoint's answer is not a blob listing", e);
                }
                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }
}
