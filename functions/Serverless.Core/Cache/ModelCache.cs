using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>
/// The registry of loaded model versions, with their budgets and leases. The first request for a version has it
/// loaded (<see cref="ModelLoader"/>) exactly once, however many requests arrive together; a failed load is reported
/// to all of them and retried by the next request. Loaded versions stay within Models:MaxLoadedBytes (and
/// Models:MaxGpuLoadedBytes) by evicting the least recently used; observers hear of every load and unload.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<ModelKey, Entry> _entries = new();
    private readonly ModelLoader _loader;
    private readonly IModelRepository _repository;
    private readonly ModelVersionIndex _index;
    private readonly IModelLifecycleObserver[] _observers;
    private readonly ModelsOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ModelCache(ModelLoader loader, IModelRepository repository, ModelVersionIndex index, IEnumerable<IModelLifecycleObserver> observers,
        IOptions<ModelsOptions> options, ILogger<ModelCache> logger, TimeProvider time)
    {
        _loader = loader;
        _repository = repository;
        _index = index;
        _observers = observers.ToArray();
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    public long LoadedBytes => _entries.Values.Sum(e => e.Ready?.SizeBytes ?? 0);

    /// <summary>Leases the model version a request means (the highest when <paramref name="version"/> is null), loading it if needed.</summary>
    public Task<ModelLease> AcquireAsync(string model, long? version, CancellationToken cancellationToken = default) =>
        AcquireAsync(model, version, TimeSpan.FromSeconds(_options.LoadWaitTimeoutSeconds), cancellationToken);

    /// <param name="waitLimit">How long to wait for a load in progress before a 503 with Retry-After; infinite for preloading.</param>
    public async Task<ModelLease> AcquireAsync(string model, long? version, TimeSpan waitLimit, CancellationToken cancellationToken = default)
    {
        var key = new ModelKey(model, await _index.ResolveAsync(model, version, cancellationToken));
        while (true)
        {
            var entry = _entries.GetOrAdd(key, k => new Entry(k));
            var wasLoaded = entry.Ready is not null;
            ILoadedModel loaded;
            try
            {
                loaded = await entry.EnsureLoading(LoadVersionAsync, NewProgress).WaitAsync(waitLimit, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The load carries on for the next request; this one answers instead of holding its connection.
                throw new ModelLoadException($"model {key} is still loading after {waitLimit.TotalSeconds:F0} s ({entry.State().Reason}); retry shortly")
                {
                    RetryAfterSeconds = LoadingRetryAfterSeconds,
                };
            }
            if (loaded.Lifetime.TryAcquire())
            {
                entry.LastUsed = _time.GetTimestamp();
                return new ModelLease(loaded, loadedForThisCall: !wasLoaded);
            }
            // Evicted or unloaded between load and lease: drop the stale entry and load again.
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    /// <summary>
    /// The explicit load call: sees newly uploaded versions at once and loads the highest. A version already loaded
    /// is loaded again when its content in the repository changed (ETags, or sizes and times): the old session is
    /// retired, so requests holding it finish on it, and later ones get the new content.
    /// </summary>
    public async Task<ModelLoadResult> LoadAsync(string model, CancellationToken cancellationToken = default)
    {
        await _index.GetVersionsAsync(model, refresh: true, cancellationToken);
        var key = new ModelKey(model, await _index.ResolveAsync(model, null, cancellationToken));
        var action = ModelLoadAction.Loaded;
        if (_entries.TryGetValue(key, out var entry) && entry.Ready is { } current)
        {
            var content = await _repository.GetContentIdAsync(key, cancellationToken);
            if (content is null || content == current.ContentId)
            {
                return new ModelLoadResult(key, ModelLoadAction.Unchanged);
            }
            if (_entries.TryRemove(KeyValuePair.Create(key, entry)))
            {
                _logger.LogInformation("Reloading {Model} v{Version}: its content changed in the repository", key.Name, key.Version);
                Retire(current, ModelUnloadReason.Reloaded);
            }
            action = ModelLoadAction.Reloaded;
        }
        using var lease = await AcquireAsync(model, key.Version, cancellationToken);
        return new ModelLoadResult(lease.Model.Key, action);
    }

    /// <summary>Unloads every loaded version of a model; in-flight requests finish on the sessions they hold.</summary>
    public int Unload(string model)
    {
        ModelName.EnsureValid(model);
        var unloaded = 0;
        foreach (var (key, entry) in _entries)
        {
            if (key.Name == model && _entries.TryRemove(KeyValuePair.Create(key, entry)))
            {
                if (entry.Ready is { } loaded)
                {
                    unloaded++;
                    _logger.LogInformation("Unloaded {Model} v{Version}", key.Name, key.Version);
                    Retire(loaded, ModelUnloadReason.Unloaded);
                }
                else
                {
                    // Still loading: retired once loaded. Requests that waited for it finish on it, or load it again if it went first.
                    entry.WhenLoaded(loaded => Retire(loaded, ModelUnloadReason.Unloaded));
                }
            }
        }
        return unloaded;
    }

    /// <summary>State of every version the cache knows of (loaded, loading or failed).</summary>
    public IReadOnlyList<ModelVersionState> States() =>
        _entries.Values.Select(e => e.State()).OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Version).ToList();

    public ModelVersionState? StateOf(ModelKey key) => _entries.TryGetValue(key, out var entry) ? entry.State() : null;

    private const int LoadingRetryAfterSeconds = 5;

    private ModelFetchProgress NewProgress(ModelKey key) => new(key, _logger, bytes => EnsureFitsBudget(key, bytes));

    /// <summary>A version larger than the whole budget could only be loaded by evicting everything, and still not fit.</summary>
    private void EnsureFitsBudget(ModelKey key, long bytes)
    {
        if (bytes > _options.MaxLoadedBytes)
        {
            throw new ModelLoadException($"model {key} is {bytes} bytes (model and external data), larger than the whole Models:MaxLoadedBytes budget of {_options.MaxLoadedBytes} bytes; it cannot be loaded");
        }
    }

    private async Task<ILoadedModel> LoadVersionAsync(ModelKey key, ModelFetchProgress progress)
    {
        // Room is made before the session exists, so a model larger than half the budget replaces the least recently
        // used one instead of holding both in memory for a moment; EnforceBudget settles concurrent loads afterwards.
        var loaded = await _loader.LoadAsync(key, progress, bytes =>
        {
            EnsureFitsBudget(key, bytes);
            Evict(key, bytes, _options.MaxLoadedBytes, _ => true);
        });
        foreach (var observer in _observers)
        {
            observer.ModelLoaded(loaded);
        }
        EnforceBudget(loaded);
        return loaded;
    }

    /// <summary>Runs inside the load, before its task completes: the new model is counted explicitly.</summary>
    private void EnforceBudget(ILoadedModel justLoaded)
    {
        Evict(justLoaded.Key, justLoaded.SizeBytes, _options.MaxLoadedBytes, _ => true);
        if (_options.MaxGpuLoadedBytes > 0 && justLoaded.OnGpu)
        {
            // Only sessions on the GPU free GPU memory, so only they are candidates.
            Evict(justLoaded.Key, justLoaded.SizeBytes, _options.MaxGpuLoadedBytes, model => model.OnGpu);
        }
    }

    /// <summary>Evicts the least recently used of the models that <paramref name="counts"/> until they and <paramref name="loading"/> fit in <paramref name="budget"/>.</summary>
    private void Evict(ModelKey loading, long loadingBytes, long budget, Func<ILoadedModel, bool> counts)
    {
        var ready = _entries.Values.Where(e => e.Ready is { } model && e.Key != loading && counts(model)).ToList();
        var total = loadingBytes + ready.Sum(e => e.Ready!.SizeBytes);
        foreach (var entry in ready.OrderBy(e => e.LastUsed))
        {
            if (total <= budget)
            {
                break;
            }
            if (_entries.TryRemove(KeyValuePair.Create(entry.Key, entry)))
            {
                var victim = entry.Ready!;
                total -= victim.SizeBytes;
                _logger.LogInformation("Evicted {Model} v{Version} to stay within {Budget} bytes", entry.Key.Name, entry.Key.Version, budget);
                Retire(victim, ModelUnloadReason.Evicted);
            }
        }
    }

    private void Retire(ILoadedModel model, ModelUnloadReason reason)
    {
        model.Lifetime.Retire();
        foreach (var observer in _observers)
        {
            observer.ModelUnloaded(model, reason);
        }
    }

    /// <summary>At shutdown: every version is retired; observers are not told, the process is going.</summary>
    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Ready?.Lifetime.Retire();
        }
        _entries.Clear();
    }

    /// <summary>One version's slot: the load in progress or done, shared by every request that wants it.</summary>
    private sealed class Entry(ModelKey key)
    {
        private readonly object _gate = new();
        private Task<ILoadedModel>? _load;
        private ModelFetchProgress? _progress;

        public ModelKey Key { get; } = key;

        public long LastUsed { get; set; }

        public ILoadedModel? Ready => _load is { IsCompletedSuccessfully: true } load ? load.Result : null;

        /// <summary>Runs <paramref name="then"/> on the loaded version once the load in progress succeeds.</summary>
        public void WhenLoaded(Action<ILoadedModel> then) =>
            _load?.ContinueWith(load => then(load.Result), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

        public Task<ILoadedModel> EnsureLoading(Func<ModelKey, ModelFetchProgress, Task<ILoadedModel>> load, Func<ModelKey, ModelFetchProgress> newProgress)
        {
            lock (_gate)
            {
                // A failed load is not cached: the next request starts a fresh one. Task.Run keeps the
                // CPU-bound session creation off the first caller's thread and out of its cancellation.
                if (_load is null || _load.IsFaulted || _load.IsCanceled)
                {
                    var progress = _progress = newProgress(Key);
                    _load = Task.Run(() => load(Key, progress));
                }
                return _load;
            }
        }

        public ModelVersionState State()
        {
            var load = _load;
            return load switch
            {
                { IsCompletedSuccessfully: true } => new(Key.Name, Key.Version, ModelState.Ready, "", load.Result.Kind),
                { IsFaulted: true } => new(Key.Name, Key.Version, ModelState.Unavailable, load.Exception!.InnerException?.Message ?? "load failed"),
                { IsCompleted: false } => new(Key.Name, Key.Version, ModelState.Loading, _progress?.Describe() ?? ""),
                _ => new(Key.Name, Key.Version, ModelState.Unavailable, "unloaded"),
            };
        }
    }
}
