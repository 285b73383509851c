using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>
/// Which model versions are loaded. The first request for a version loads it (fetch, open, warm up) exactly once,
/// however many requests arrive together; a failed load is reported to all of them and retried by the next request.
/// Loaded sessions stay within Models:MaxLoadedBytes by evicting the least recently used.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<ModelKey, Entry> _entries = new();
    private readonly IModelRepository _repository;
    private readonly ModelVersionIndex _index;
    private readonly IModelSessionFactory _sessions;
    private readonly ModelsOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ModelCache(IModelRepository repository, ModelVersionIndex index, IModelSessionFactory sessions,
        IOptions<ModelsOptions> options, ILogger<ModelCache> logger, TimeProvider time)
    {
        _repository = repository;
        _index = index;
        _sessions = sessions;
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised after a version is loaded (with its load time) and after one is evicted; telemetry listens.</summary>
    public event Action<LoadedModel>? Loaded;
    public event Action<LoadedModel>? Evicted;

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
            LoadedModel loaded;
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
            if (loaded.TryAcquire())
            {
                entry.LastUsed = _time.GetTimestamp();
                return new ModelLease(loaded);
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
                current.Retire();
                _logger.LogInformation("Reloading {Model} v{Version}: its content changed in the repository", key.Name, key.Version);
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
                    loaded.Retire();
                    unloaded++;
                    _logger.LogInformation("Unloaded {Model} v{Version}", key.Name, key.Version);
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

    private async Task<LoadedModel> LoadVersionAsync(ModelKey key, ModelFetchProgress progress)
    {
        try
        {
            return await OpenAsync(key, progress);
        }
        catch (Exception e) when (e is not ServerlessException)
        {
            _logger.LogError(e, "Loading {Model} v{Version} failed", key.Name, key.Version);
            throw new ModelLoadException($"model {key} could not be loaded: {ServerPaths.Hide(e.Message, _repository.Location)}", e);
        }
        catch (ModelLoadException e) when (ServerPaths.Hide(e.Message, _repository.Location) is var told && told != e.Message)
        {
            // The full message, with the paths, is for the log; the caller and the repository index get the rest.
            _logger.LogError(e, "Loading {Model} v{Version} failed", key.Name, key.Version);
            throw new ModelLoadException(told, e) { RetryAfterSeconds = e.RetryAfterSeconds };
        }
    }

    private async Task<LoadedModel> OpenAsync(ModelKey key, ModelFetchProgress progress)
    {
        var started = Stopwatch.GetTimestamp();
        // The config is small and independent of the model file: read it while the file downloads.
        var configRead = _repository.ReadConfigAsync(key.Name);
        var file = await _repository.FetchAsync(key, progress);
        var config = await configRead;
        var fetched = Stopwatch.GetTimestamp();
        EnsureFitsBudget(key, file.Length);
        // Room is made before the session exists, so a model larger than half the budget replaces the least recently
        // used one instead of holding both in memory for a moment; EnforceBudget settles concurrent loads afterwards.
        Evict(key, file.Length, _options.MaxLoadedBytes, _ => true);
        var session = _sessions.Open(key, file, config);
        var opened = Stopwatch.GetTimestamp();
        try
        {
            if (config.Warmup)
            {
                ModelWarmup.Run(session);
            }
        }
        catch (Exception e)
        {
            session.Dispose();
            throw new ModelLoadException($"model {key}: warm-up inference failed: {e.Message}", e);
        }
        var batcher = CreateBatcher(key, session, config);
        var loaded = new LoadedModel(key, session, config, file.Length, Stopwatch.GetElapsedTime(started), batcher) { ContentId = file.ContentId };
        _logger.LogInformation("Loaded {Model} v{Version} on {ExecutionProvider} in {ElapsedMs} ms ({Bytes} bytes): fetch {FetchMs} ms, open {OpenMs} ms, warm-up {WarmupMs} ms",
            key.Name, key.Version, session.ExecutionProvider, loaded.LoadTime.TotalMilliseconds, file.Length,
            Stopwatch.GetElapsedTime(started, fetched).TotalMilliseconds, Stopwatch.GetElapsedTime(fetched, opened).TotalMilliseconds,
            Stopwatch.GetElapsedTime(opened).TotalMilliseconds);
        Loaded?.Invoke(loaded);
        EnforceBudget(loaded);
        return loaded;
    }

    private DynamicBatcher? CreateBatcher(ModelKey key, IModelSession session, ModelConfig config)
    {
        if (config.DynamicBatching is not { Enabled: true } batching)
        {
            return null;
        }
        if (!DynamicBatcher.CanBatch(session))
        {
            _logger.LogWarning("{Model} v{Version}: dynamic batching is configured but not every input and output has a dynamic first dimension; batching is off",
                key.Name, key.Version);
            return null;
        }
        // The layout the session factory gave the session its threads by; the instance count depends only on the config and the provider.
        var layout = BatchingLayout.For(batching, config.IntraOpThreads, session.ExecutionProvider, Environment.ProcessorCount);
        return new DynamicBatcher(key, session, batching, config.MaxBatchSize, layout.Instances);
    }

    /// <summary>Runs inside the load, before its task completes: the new model is counted explicitly.</summary>
    private void EnforceBudget(LoadedModel justLoaded)
    {
        Evict(justLoaded.Key, justLoaded.SizeBytes, _options.MaxLoadedBytes, _ => true);
        if (_options.MaxGpuLoadedBytes > 0 && OnGpu(justLoaded))
        {
            // Only sessions on the GPU free GPU memory, so only they are candidates.
            Evict(justLoaded.Key, justLoaded.SizeBytes, _options.MaxGpuLoadedBytes, OnGpu);
        }
    }

    private static bool OnGpu(LoadedModel model) => model.Session.ExecutionProvider == GpuExecutionProvider;

    // Infrastructure.Onnx.ExecutionProviderSelector.Cuda; the cache only compares the name a session reports.
    private const string GpuExecutionProvider = "CUDAExecutionProvider";

    /// <summary>Evicts the least recently used of the models that <paramref name="counts"/> until they and <paramref name="loading"/> fit in <paramref name="budget"/>.</summary>
    private void Evict(ModelKey loading, long loadingBytes, long budget, Func<LoadedModel, bool> counts)
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
                victim.Retire();
                _logger.LogInformation("Evicted {Model} v{Version} to stay within {Budget} bytes", entry.Key.Name, entry.Key.Version, budget);
                Evicted?.Invoke(victim);
            }
        }
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Ready?.Retire();
        }
        _entries.Clear();
    }

    /// <summary>One version's slot: the load in progress or done, shared by every request that wants it.</summary>
    private sealed class Entry(ModelKey key)
    {
        private readonly object _gate = new();
        private Task<LoadedModel>? _load;
        private ModelFetchProgress? _progress;

        public ModelKey Key { get; } = key;

        public long LastUsed { get; set; }

        public LoadedModel? Ready => _load is { IsCompletedSuccessfully: true } load ? load.Result : null;

        public Task<LoadedModel> EnsureLoading(Func<ModelKey, ModelFetchProgress, Task<LoadedModel>> load, Func<ModelKey, ModelFetchProgress> newProgress)
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
                { IsCompletedSuccessfully: true } => new(Key.Name, Key.Version, ModelState.Ready, ""),
                { IsFaulted: true } => new(Key.Name, Key.Version, ModelState.Unavailable, load.Exception!.InnerException?.Message ?? "load failed"),
                { IsCompleted: false } => new(Key.Name, Key.Version, ModelState.Loading, _progress?.Describe() ?? ""),
                _ => new(Key.Name, Key.Version, ModelState.Unavailable, "unloaded"),
            };
        }
    }
}
