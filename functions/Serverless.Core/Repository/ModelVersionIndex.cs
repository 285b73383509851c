using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;

namespace Serverless.Core.Repository;

/// <summary>
/// The versions each model has, listed from the repository at most once per refresh interval so that resolving
/// "latest" does not cost a storage round trip per request. Staleness is bounded by Models:RefreshIntervalSeconds;
/// an explicit load refreshes at once.
/// </summary>
public sealed class ModelVersionIndex(IModelRepository repository, IOptions<ModelsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Listing> _listings = new(StringComparer.Ordinal);
    private readonly TimeSpan _maxAge = TimeSpan.FromSeconds(options.Value.RefreshIntervalSeconds);

    private sealed record Listing(Task<IReadOnlyList<long>> Versions, DateTimeOffset ListedAt);

    public async Task<IReadOnlyList<long>> GetVersionsAsync(string model, bool refresh = false, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(model);
        var now = time.GetUtcNow();
        var listing = _listings.AddOrUpdate(
            model,
            _ => List(model, now),
            (_, existing) => refresh || now - existing.ListedAt > _maxAge || existing.Versions.IsFaulted ? List(model, now) : existing);
        return await listing.Versions.WaitAsync(cancellationToken);
    }

    /// <summary>The version a request means: the one it names, or the highest present.</summary>
    public async Task<long> ResolveAsync(string model, long? version, CancellationToken cancellationToken = default)
    {
        var versions = await GetVersionsAsync(model, cancellationToken: cancellationToken);
        if (versions.Count == 0)
        {
            throw new ModelNotFoundException($"model '{model}' not found in the model repository");
        }
        if (version is null)
        {
            return versions[^1];
        }
        if (!versions.Contains(version.Value))
        {
            throw new ModelNotFoundException($"model '{model}' has no version {version} (versions: {string.Join(", ", versions)})");
        }
        return version.Value;
    }

    private Listing List(string model, DateTimeOffset now) => new(repository.ListVersionsAsync(model), now);
}
