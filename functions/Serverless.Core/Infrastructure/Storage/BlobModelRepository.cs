using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>
/// A model repository in a blob container (optionally under a prefix). Model files are downloaded once into a
/// local cache folder that survives restarts; a cached file is reused while its blob's ETag is unchanged.
/// </summary>
public sealed class BlobModelRepository : IModelRepository
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly string _cacheRoot;
    private readonly ILogger _logger;
    private readonly VersionFolderWarnings _ignored;

    public BlobModelRepository(BlobContainerClient container, string prefix, string cacheDirectory, ILogger<BlobModelRepository> logger)
    {
        _container = container;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        _logger = logger;
        _ignored = new VersionFolderWarnings(logger);
        Location = _container.Uri + (_prefix.Length > 0 ? "/" + _prefix.TrimEnd('/') : "");
        // One cache folder per repository location, so two repositories never share cached files.
        var locationHash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Location)))[..16];
        _cacheRoot = Path.Combine(cacheDirectory, locationHash);
    }

    public string Location { get; }

    /// <summary>Download attempts so far; tests use it to check single-flight loading.</summary>
    public int Downloads => _downloads;
    private int _downloads;

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
            // <version>/model.onnx directly below the model folder.
            var rest = blob.Name.AsSpan(modelPrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0 && rest[(slash + 1)..].SequenceEqual(ModelRepositoryLayout.ModelFileName))
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
            throw new ModelLoadException($"model '{model}': reading config.json from {Location} failed: {e.Message}", e);
        }
    }

    public async Task<ModelFile> FetchAsync(ModelKey key, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(key.Name);
        var version = key.Version.ToString(CultureInfo.InvariantCulture);
        var blob = _container.GetBlobClient($"{_prefix}{key.Name}/{version}/{ModelRepositoryLayout.ModelFileName}");
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ModelNotFoundException($"model '{key.Name}' has no version {key.Version} in {Location}");
        }
        catch (RequestFailedException e)
        {
            throw new ModelLoadException($"model {key}: reading {blob.Uri} failed: {e.Message}", e);
        }

        var folder = Path.Combine(_cacheRoot, key.Name, version);
        var path = Path.Combine(folder, ModelRepositoryLayout.ModelFileName);
        var etagPath = path + ".etag";
        var etag = properties.ETag.ToString();
        if (File.Exists(path) && File.Exists(etagPath) && await File.ReadAllTextAsync(etagPath, cancellationToken) == etag
            && new FileInfo(path).Length == properties.ContentLength)
        {
            return new ModelFile(path, properties.ContentLength, etag);
        }

        Directory.CreateDirectory(folder);
        // Written under a temporary name and renamed only once complete and verified, so a crash mid-download
        // never leaves a truncated model.onnx that a restart would trust.
        var temp = Path.Combine(folder, $"{ModelRepositoryLayout.ModelFileName}.{Guid.NewGuid():N}.tmp");
        Interlocked.Increment(ref _downloads);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.None))
            {
                // Pinning the download to the ETag we checked means a blob replaced mid-download fails instead of mixing
                // versions. The MD5 is computed as the bytes pass through, not in a second read of the file, and only when
                // the blob has a Content-MD5 to compare it with (blobs committed from blocks usually have none): it costs
                // a core for as long as the download lasts.
                var download = new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } };
                if (properties.ContentHash is { Length: > 0 } expected)
                {
                    await using var hashing = new HashingFileWriter(file, HashAlgorithmName.MD5);
                    await blob.DownloadToAsync(hashing, download, cancellationToken);
                    Verify(key, expected, await hashing.GetHashAsync());
                }
                else
                {
                    await blob.DownloadToAsync(file, download, cancellationToken);
                }
                if (file.Length != properties.ContentLength)
                {
                    throw new ModelLoadException($"model {key}: downloaded {file.Length} bytes but the blob has {properties.ContentLength}");
                }
            }
            File.Move(temp, path, overwrite: true);
            await File.WriteAllTextAsync(etagPath, etag, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            throw new ModelLoadException($"model {key}: downloading {blob.Uri} failed: {e.Message}", e);
        }
        finally
        {
            File.Delete(temp);
        }
        _logger.LogInformation("Downloaded {Model} v{Version} ({Bytes} bytes) in {ElapsedMs} ms",
            key.Name, key.Version, properties.ContentLength, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new ModelFile(path, properties.ContentLength, etag);
    }

    private static void Verify(ModelKey key, byte[] expectedMd5, byte[] md5)
    {
        if (!md5.AsSpan().SequenceEqual(expectedMd5))
        {
            throw new ModelLoadException($"model {key}: downloaded file does not match the blob's Content-MD5");
        }
    }

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
                    throw new ModelLoadException($"listing the model repository {Location} failed: {e.Message}", e);
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
