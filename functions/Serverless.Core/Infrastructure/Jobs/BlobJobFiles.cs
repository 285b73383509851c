using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// Job files in blob storage, limited to Jobs:AllowedContainers in the AzureWebJobsStorage account: a job URL must
/// name one of them by scheme, host, port, account and container, carry no query, user info or dot segments, or it
/// is refused before any request is made (no server-side request forgery through job messages). Within a container,
/// <see cref="JobNamespace"/> says what each caller may use.
/// </summary>
public sealed class BlobJobFiles : IJobFiles
{
    // Reads and staged blocks of this size: few requests per shard, bounded memory.
    private const int BlockBytes = 4 * 1024 * 1024;
    private readonly BlobServiceClient _service;
    private readonly HashSet<string> _allowed;
    private readonly BlobUriBuilder _account;

    public BlobJobFiles(BlobServiceClient service, IEnumerable<string> allowedContainers)
    {
        _service = service;
        _account = new BlobUriBuilder(service.Uri);
        _allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in allowedContainers.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()))
        {
            if (Uri.TryCreate(entry, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                var parts = new BlobUriBuilder(uri);
                var key = Key(uri, parts.AccountName, parts.BlobContainerName);
                // One credential, one account: a container elsewhere would be reached with the wrong identity.
                if (!key.StartsWith(Key(service.Uri, _account.AccountName, ""), StringComparison.Ordinal) || string.IsNullOrEmpty(parts.BlobContainerName))
                {
                    throw new InvalidOperationException($"Jobs:AllowedContainers entry '{entry}' is not a container of the AzureWebJobsStorage account ({service.Uri})");
                }
                _allowed.Add(key);
            }
            else
            {
                _allowed.Add(Key(service.Uri, _account.AccountName, entry.Trim('/')));
            }
        }
    }

    public JobLocation Resolve(string location, string field, string? owner)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.IsFile)
        {
            throw new InvalidJobException($"'{field}' '{location}' must be a blob URL in one of Jobs:AllowedContainers");
        }
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new InvalidJobException($"'{field}' '{location}' must not carry user info, a query (SAS token) or a fragment: the server uses its own identity");
        }
        if (location.Contains("/./", StringComparison.Ordinal) || location.Contains("/../", StringComparison.Ordinal) || location.EndsWith("/..", StringComparison.Ordinal)
            || location.Contains("%2e", StringComparison.OrdinalIgnoreCase) || location.Contains('\\'))
        {
            throw new InvalidJobException($"'{field}' '{location}' must not contain dot segments or backslashes");
        }
        if (_allowed.Count == 0)
        {
            throw new InvalidJobException($"'{field}' '{location}' is not allowed: Jobs:AllowedContainers is empty, so no container is open to jobs");
        }
        var parts = new BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.BlobContainerName) || !_allowed.Contains(Key(uri, parts.AccountName, parts.BlobContainerName)))
        {
            throw new InvalidJobException($"'{field}' '{location}' is not in a container listed in Jobs:AllowedContainers");
        }
        if (field == "input" && string.IsNullOrEmpty(parts.BlobName))
        {
            throw new InvalidJobException($"'{field}' '{location}' names a container, not a blob");
        }
        JobNamespace.Check((parts.BlobName ?? "").TrimEnd('/'), field, location, owner);
        return new JobLocation(uri.AbsoluteUri, location);
    }

    public async Task<JobInputInfo> GetInfoAsync(JobLocation input, CancellationToken cancellationToken = default)
    {
        var blob = Blob(input);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            return new JobInputInfo(properties.Value.ContentLength, properties.Value.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidJobException($"input '{input}' does not exist");
        }
    }

    public async Task<Stream> OpenReadAsync(JobLocation input, long position, string? etag, CancellationToken cancellationToken = default)
    {
        var options = new BlobOpenReadOptions(allowModifications: false)
        {
            Position = position,
            BufferSize = BlockBytes,
            // Pinned to the version the planner measured: a replaced input fails the shard instead of mixing versions.
            Conditions = etag is null ? null : new BlobRequestConditions { IfMatch = new ETag(etag) },
        };
        return await Blob(input).OpenReadAsync(options, cancellationToken);
    }

    public IPartWriter CreateWriter(JobLocation folder, string name) => new BlobPartWriter(Container(folder, out var prefix).GetBlockBlobClient(Join(prefix, name)), BlockBytes);

    public async Task<Stream?> OpenOutputAsync(JobLocation folder, string name, CancellationToken cancellationToken = default)
    {
        var blob = Container(folder, out var prefix).GetBlobClient(Join(prefix, name));
        try
        {
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    // Uncommitted blocks never become visible, and the service discards them after a week.
    public Task DeleteTemporaryFilesAsync(JobLocation folder, string? name, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>A storage error's first line says what went wrong; the rest is request ids, times and response headers.</summary>
    /// <summary>The storage service's answers and the network under them; the SDK has already retried these itself.</summary>
    public bool IsStorageFailure(Exception error) =>
        error is RequestFailedException or HttpRequestException or TimeoutException || error.InnerException is { } inner && IsStorageFailure(inner);

    public string Redact(string message) => message.Split('\n', 2)[0].Trim();

    private BlobClient Blob(JobLocation location) => Container(location, out var name).GetBlobClient(name);

    private BlobContainerClient Container(JobLocation location, out string blobName)
    {
        var parts = new BlobUriBuilder(new Uri(location.Value));
        blobName = parts.BlobName ?? "";
        // Resolve admitted only containers of this account, so the service client's credential applies.
        return _service.GetBlobContainerClient(parts.BlobContainerName);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix.TrimEnd('/') + "/" + name;

    private static string Key(Uri uri, string? account, string container) =>
        $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}/{account}/{container}";
}
