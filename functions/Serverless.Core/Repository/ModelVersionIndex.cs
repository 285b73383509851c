using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;

namespace Serverless.Core.Repository;

/// <summary>
/// The versions each model has, listed from the repository at most once per refresh interval so that resolving
/// "latest" does not cost a storage round trip per request. Staleness is bounded by Models:RefreshIntervalSeconds;
/// an explicit load refreshes at once. Only models the repository has are remembered: a name with no versions (or
/// whose listing failed) is dropped as soon as its listing ends, so invented names cost no memory.
/// </summary>
public sealed class ModelVersionIndex(IModelRepository repository, IOptions<ModelsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Listing> _listings = new(StringComparer.Ordinal);
    private readonly TimeSpan _maxAge = TimeSpan.FromSeconds(options.Value.RefreshIntervalSeconds);

    private sealed record Listing(Task<IReadOnlyList<long>> Versions, DateTimeOffset ListedAt);

    /// <summary>Models remembered now; tests use it to check that unknown names leave nothing behind.</summary>
    internal int ListedModels => _listings.Count;

    public async Task<IReadOnlyList<long>> GetVersionsAsync(string model, bool refresh = false, CancellationToken cancellationToken = default)
    {
        ModelName.EnsureValid(model);
        var now = time.GetUtcNow();
        var listing = _listings.AddOrUpdate(
            model,
            _ => List(model, now),
            (_, existing) => refresh || now - existing.ListedAt > _maxAge || existing.Versions.IsFaulted ? List(model, now) : existing);
        // Not cancelled with the caller: whoever waits, the listing is forgotten if it finds nothing.
        return await ForgetIfUnknownAsync(model, listing).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The version a request means: the one it names, or the highest present. Not-found messages start as Triton's do
    /// (<c>Request for unknown model: 'x' is not found</c>): its clients and example programs compare that prefix.
    /// </summary>
    public async Task<long> ResolveAsync(string model, long? version, CancellationToken cancellationToken = default)
    {
        var versions = await GetVersionsAsync(model, cancellationToken: cancellationToken);
        if (versions.Count == 0)
        {
            throw new ModelNotFoundException($"Request for unknown model: '{model}' is not found in the model repository");
        }
        if (version is null)
        {
            return versions[^1];
        }
        if (!versions.Contains(version.Value))
        {
            throw new ModelNotFoundException($"Request for unknown model: '{model}' version {version} is not found (versions: {string.Join(", ", versions)})");
        }
        return version.Value;
    }

    /// <summary>Whether the last listing of <paramref name="model"/> found versions; never lists (telemetry asks it for labels).</summary>
    public bool IsKnown(string model) =>
        _listings.TryGetValue(model, out var listing) && listing.Versions is { IsCompletedSuccessfully: true, Result.Count: > 0 };

    private Listing List(string model, DateTimeOffset now) => new(repository.ListVersionsAsync(model), now);

    private async Task<IReadOnlyList<long>> ForgetIfUnknownAsync(string model, Listing listing)
    {
        try
        {
            var versions = await listing.Versions;
            if (versions.Count == 0)
            {
                _listings.TryRemove(KeyValuePair.Create(model, listing));
            }
            return versions;
        }
        catch
        {
            _listings.TryRemove(KeyValuePair.Create(model, listing));
            throw;
        }
    }
}
