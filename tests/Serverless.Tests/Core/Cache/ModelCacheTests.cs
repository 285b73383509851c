using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Testing;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Cache;

public sealed class ModelCacheTests
{
    private readonly FakeModelRepository _repository = new();
    private readonly FakeSessionFactory _sessions = new();
    private readonly FakeTimeProvider _time = new();

    private readonly RecordingObserver _observer = new();

    private ModelCache CreateCache(long maxLoadedBytes = long.MaxValue, long maxGpuLoadedBytes = 0, int loadWaitTimeoutSeconds = 120)
    {
        var options = Options.Create(new ModelsOptions
        {
            MaxLoadedBytes = maxLoadedBytes, MaxGpuLoadedBytes = maxGpuLoadedBytes, RefreshIntervalSeconds = 30, LoadWaitTimeoutSeconds = loadWaitTimeoutSeconds,
        });
        return TestModelCaches.Create(_repository, _sessions, options, _time, observers: _observer);
    }

    [Fact]
    public async Task AcquireAsync_ConcurrentFirstRequests_DownloadsAndOpensOnce()
    {
        _repository.Versions["m"] = [1];
        _repository.FetchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = CreateCache();

        // All 32 are asked for before the fetch may finish, so each is either the load or a waiter on it.
        var requests = Enumerable.Range(0, 32).Select(_ => cache.AcquireAsync("m", null)).ToList();
        await Eventually.TrueAsync(() => _repository.Fetches > 0, "the load starting");
        Assert.DoesNotContain(requests, r => r.IsCompleted);
        _repository.FetchGate.SetResult();
        var leases = await Task.WhenAll(requests);

        Assert.Equal(1, _repository.Fetches);
        Assert.Single(_sessions.Opened);
        Assert.All(leases, lease => Assert.Same(leases[0].Model, lease.Model));
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task AcquireAsync_LoadFails_EveryWaiterSeesTheErrorAndTheNextRequestRetries()
    {
        _repository.Versions["m"] = [1];
        _repository.FetchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _repository.FailFetchWith = new IOException("disk on fire");
        using var cache = CreateCache();

        // Called on this thread, not queued to the pool: each call joins the one load before the fetch is let go. A
        // waiter the pool started after the load had failed began a second load (a failed load is not kept), and the
        // test saw 2 fetches on a loaded machine.
        var waiters = Enumerable.Range(0, 4).Select(_ => cache.AcquireAsync("m", null)).ToList();
        await Eventually.TrueAsync(() => _repository.Fetches > 0, "the load starting");
        _repository.FetchGate.SetResult();
        foreach (var waiter in waiters)
        {
            var error = await Assert.ThrowsAsync<ModelLoadException>(() => waiter);
            Assert.Contains("disk on fire", error.Message);
        }
        Assert.Equal(1, _repository.Fetches);
        Assert.Equal(ModelState.Unavailable, cache.StateOf(new ModelKey("m", 1))!.State);

        _repository.FailFetchWith = null;
        using var lease = await cache.AcquireAsync("m", null);

        Assert.Equal(2, _repository.Fetches);
        Assert.Equal(ModelState.Ready, cache.StateOf(new ModelKey("m", 1))!.State);
    }

    [Fact]
    public async Task AcquireAsync_NoVersionGiven_LeasesTheHighestVersion()
    {
        _repository.Versions["m"] = [1, 3, 2];
        using var cache = CreateCache();

        using var lease = await cache.AcquireAsync("m", null);

        Assert.Equal(new ModelKey("m", 3), lease.Model.Key);
    }

    [Fact]
    public async Task AcquireAsync_UnknownModelOrVersion_ThrowsNotFound()
    {
        _repository.Versions["m"] = [1];
        using var cache = CreateCache();

        await Assert.ThrowsAsync<ModelNotFoundException>(() => cache.AcquireAsync("other", null));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => cache.AcquireAsync("m", 2));
        await Assert.ThrowsAsync<ModelNotFoundException>(() => cache.AcquireAsync("../m", null));
        Assert.Equal(0, _repository.Fetches);
    }

    [Fact]
    public async Task AcquireAsync_OverMemoryBudget_EvictsLeastRecentlyUsedButNeverASessionInUse()
    {
        _repository.Versions["a"] = [1];
        _repository.Versions["b"] = [1];
        _repository.Versions["c"] = [1];
        _repository.FileLength = 100;
        using var cache = CreateCache(maxLoadedBytes: 250);

        var inUse = await cache.AcquireAsync("a", null);
        await UseLaterAsync(cache, "b");
        await UseLaterAsync(cache, "c");

        // "a" was least recently used and got evicted, but a request still holds it: not disposed yet.
        var sessionA = _sessions.Opened.Single(s => s.Key.Name == "a");
        Assert.Null(cache.StateOf(new ModelKey("a", 1)));
        Assert.False(sessionA.Disposed);
        Assert.Equal(200, cache.LoadedBytes);

        inUse.Dispose();
        Assert.True(sessionA.Disposed);
        Assert.False(_sessions.Opened.Single(s => s.Key.Name == "b").Disposed);
    }

    [Fact]
    public async Task AcquireAsync_OverGpuBudget_EvictsLeastRecentlyUsedGpuModelAndKeepsCpuModels()
    {
        foreach (var name in new[] { "gpu-a", "cpu-b", "gpu-c", "gpu-d", "cpu-e" })
        {
            _repository.Versions[name] = [1];
        }
        _repository.FileLength = 100;
        _sessions.ExecutionProviderOf = key => key.Name.StartsWith("gpu", StringComparison.Ordinal) ? ExecutionProvider.Cuda : ExecutionProvider.Cpu;
        using var cache = CreateCache(maxGpuLoadedBytes: 250);

        foreach (var name in new[] { "gpu-a", "cpu-b", "gpu-c", "gpu-d", "cpu-e" })
        {
            await UseLaterAsync(cache, name);
        }

        // gpu-d brought the GPU to 300 bytes: gpu-a, the oldest on the GPU, went; cpu-b, older still, stayed.
        Assert.Null(cache.StateOf(new ModelKey("gpu-a", 1)));
        Assert.All(new[] { "cpu-b", "gpu-c", "gpu-d", "cpu-e" }, name => Assert.Equal(ModelState.Ready, cache.StateOf(new ModelKey(name, 1))!.State));
        Assert.Equal(400, cache.LoadedBytes);
    }

    [Fact]
    public async Task AcquireAsync_AfterEviction_LoadsAgain()
    {
        _repository.Versions["a"] = [1];
        _repository.Versions["b"] = [1];
        using var cache = CreateCache(maxLoadedBytes: 150);

        (await cache.AcquireAsync("a", null)).Dispose();
        (await cache.AcquireAsync("b", null)).Dispose();
        using var again = await cache.AcquireAsync("a", null);

        Assert.Equal(3, _sessions.Opened.Count);
        Assert.False(again.Model.Lifetime.IsDisposed);
    }

    [Fact]
    public async Task Unload_WhileARequestHoldsTheModel_DisposesOnlyAfterRelease()
    {
        _repository.Versions["m"] = [1, 2];
        using var cache = CreateCache();
        var lease = await cache.AcquireAsync("m", 1);

        Assert.Equal(1, cache.Unload("m"));
        Assert.False(_sessions.Opened[0].Disposed);
        lease.Dispose();

        Assert.True(_sessions.Opened[0].Disposed);
        Assert.Null(cache.StateOf(new ModelKey("m", 1)));
    }

    [Fact]
    public async Task LoadAsync_LoadedVersionsContentChanged_ReloadsAndRetiresTheOldSession()
    {
        _repository.Versions["m"] = [1];
        using var cache = CreateCache();
        var held = await cache.AcquireAsync("m", null);

        _repository.ContentIds[new ModelKey("m", 1)] = "replaced";
        var reloaded = await cache.LoadAsync("m");
        var unchanged = await cache.LoadAsync("m");

        Assert.Equal(ModelLoadAction.Reloaded, reloaded.Action);
        Assert.Equal(ModelLoadAction.Unchanged, unchanged.Action);
        Assert.Equal(2, _sessions.Opened.Count);
        Assert.False(_sessions.Opened[0].Disposed);
        held.Dispose();
        Assert.True(_sessions.Opened[0].Disposed);
        Assert.False(_sessions.Opened[1].Disposed);
    }

    [Fact]
    public async Task LoadAsync_NewVersionUploaded_IsSeenWithoutWaitingForRefresh()
    {
        _repository.Versions["m"] = [1];
        using var cache = CreateCache();
        (await cache.AcquireAsync("m", null)).Dispose();

        _repository.Versions["m"].Add(2);
        var loaded = await cache.LoadAsync("m");

        Assert.Equal(new ModelLoadResult(new ModelKey("m", 2), ModelLoadAction.Loaded), loaded);
    }

    [Fact]
    public async Task AcquireAsync_ModelsLargerThanHalfTheBudget_OneLoadedAtATimeLeastRecentlyUsedFirst()
    {
        _repository.Versions["a"] = [1];
        _repository.Versions["b"] = [1];
        _repository.FileLength = 100;
        var disposedBeforeOpening = new List<bool>();
        // Asked just before Open: records whether the other model's session had already gone when this one was opened.
        _sessions.ExecutionProviderOf = key =>
        {
            disposedBeforeOpening.Add(_sessions.Opened.Where(s => s.Key != key).All(s => s.Disposed));
            return ExecutionProvider.Cpu;
        };
        using var cache = CreateCache(maxLoadedBytes: 150);

        await UseLaterAsync(cache, "a");
        await UseLaterAsync(cache, "b");
        await UseLaterAsync(cache, "a");

        Assert.Equal([true, true, true], disposedBeforeOpening);
        Assert.Equal(ModelState.Ready, cache.StateOf(new ModelKey("a", 1))!.State);
        Assert.Null(cache.StateOf(new ModelKey("b", 1)));
        Assert.Equal(100, cache.LoadedBytes);
    }

    [Fact]
    public async Task AcquireAsync_VersionLargerThanTheWholeBudget_RefusedWithoutEvictingOrOpening()
    {
        _repository.Versions["small"] = [1];
        _repository.Versions["huge"] = [1];
        _repository.FileLength = 100;
        using var cache = CreateCache(maxLoadedBytes: 150);
        (await cache.AcquireAsync("small", null)).Dispose();
        _repository.FileLength = 151;

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => cache.AcquireAsync("huge", null));

        Assert.Contains("151 bytes", error.Message);
        Assert.Contains("larger than the whole Models:MaxLoadedBytes budget of 150 bytes", error.Message);
        Assert.Equal(503, error.StatusCode);
        Assert.Single(_sessions.Opened);
        Assert.Equal(ModelState.Ready, cache.StateOf(new ModelKey("small", 1))!.State);
    }

    [Fact]
    public async Task AcquireAsync_LoadOutlastsTheWaitLimit_Returns503WithRetryAfterAndTheLoadCarriesOn()
    {
        _repository.Versions["m"] = [1];
        _repository.FetchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = CreateCache(loadWaitTimeoutSeconds: 1);

        var waiting = cache.AcquireAsync("m", null);
        // The wait limit runs on the fake clock: move it a second on (again, should the wait start after a move).
        await Eventually.TrueAsync(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return waiting.IsCompleted;
        }, "the wait limit ending the request's wait");
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => waiting);
        _repository.FetchGate.SetResult();
        using var lease = await cache.AcquireAsync("m", null);

        Assert.Contains("still loading", error.Message);
        Assert.Equal(503, error.StatusCode);
        Assert.NotNull(error.RetryAfterSeconds);
        Assert.Equal(1, _repository.Fetches);
    }

    [Fact]
    public async Task StateOf_VersionFetching_LoadingWithBytesFetchedOfTotal()
    {
        _repository.Versions["m"] = [1];
        _repository.FileLength = 50_000_000;
        _repository.FetchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = CreateCache();

        var request = cache.AcquireAsync("m", null);
        await Eventually.TrueAsync(() => _repository.Fetches > 0, "the load starting");
        var state = cache.StateOf(new ModelKey("m", 1))!;
        _repository.FetchGate.SetResult();
        (await request).Dispose();

        Assert.Equal(ModelState.Loading, state.State);
        Assert.Equal("fetched 0.0 of 50.0 MB", state.Reason);
    }

    [Fact]
    public async Task AcquireAsync_FirstAndLaterCalls_OnlyTheFirstLoadedItsVersion()
    {
        _repository.Versions["m"] = [1];
        using var cache = CreateCache();

        using var first = await cache.AcquireAsync("m", null);
        using var second = await cache.AcquireAsync("m", null);

        Assert.True(first.LoadedForThisCall);
        Assert.False(second.LoadedForThisCall);
    }

    [Fact]
    public async Task Observers_LoadThenEviction_ToldOfEachWithTheReason()
    {
        _repository.Versions["a"] = [1];
        _repository.Versions["b"] = [1];
        using var cache = CreateCache(maxLoadedBytes: 150);

        (await cache.AcquireAsync("a", null)).Dispose();
        (await cache.AcquireAsync("b", null)).Dispose();

        Assert.Equal(["loaded a v1", "evicted a v1", "loaded b v1"], _observer.Events);
    }

    [Fact]
    public async Task Unload_WhileTheVersionLoads_RetiredOnceLoadedAndObserversToldOnce()
    {
        _repository.Versions["m"] = [1];
        _repository.FetchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = CreateCache();

        var request = cache.AcquireAsync("m", null);
        await Eventually.TrueAsync(() => _repository.Fetches > 0, "the load starting");
        Assert.Equal(0, cache.Unload("m"));
        _repository.FetchGate.SetResult();
        await Eventually.TrueAsync(() => _observer.Events.Contains("unloaded m v1"), "the observers told of the unload");
        // The waiting request got the version before it was retired, or loaded it again: either way the first one goes.
        (await request).Dispose();

        Assert.Equal("loaded m v1", _observer.Events[0]);
        Assert.Single(_observer.Events, e => e == "unloaded m v1");
        Assert.True(_sessions.Opened[0].Disposed);
    }

    private sealed class RecordingObserver : IModelLifecycleObserver
    {
        private readonly List<string> _events = [];

        public IReadOnlyList<string> Events { get { lock (_events) { return [.. _events]; } } }

        public void ModelLoaded(ILoadedModel model) => Add($"loaded {model.Key}");

        public void ModelUnloaded(ILoadedModel model, ModelUnloadReason reason) => Add($"{reason.ToString().ToLowerInvariant()} {model.Key}");

        private void Add(string line)
        {
            lock (_events)
            {
                _events.Add(line);
            }
        }
    }

    /// <summary>A request for <paramref name="name"/> a second after the last: least recently used is then unambiguous.</summary>
    private async Task UseLaterAsync(ModelCache cache, string name)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        (await cache.AcquireAsync(name, null)).Dispose();
    }
}
