using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Batching;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Cache;

public sealed class ModelLoaderTests
{
    private static readonly ModelKey Key = new("m", 1);
    private readonly FakeModelRepository _repository = new();
    private readonly FakeSessionFactory _sessions = new();
    private readonly InferenceStatistics _statistics = new(TimeProvider.System);

    private ModelLoader CreateLoader(int intraOpThreads = 0) =>
        new(_repository, _sessions, _statistics, Options.Create(new InferenceOptions { IntraOpThreads = intraOpThreads }), NullLogger<ModelLoader>.Instance, TimeProvider.System);

    private async Task<LoadedModel> LoadAsync(ModelLoader loader, Action<long>? makeRoom = null) =>
        (LoadedModel)await loader.LoadAsync(Key, new ModelFetchProgress(Key, NullLogger.Instance), makeRoom ?? (_ => { }));

    [Fact]
    public async Task LoadAsync_Warmup_RunsOnceThroughTheSchedulerUncountedAndReturnsItsBuffers()
    {
        var pool = new CountingArrayPool();
        _sessions.OutputPool = pool;
        _repository.Configs["m"] = new ModelConfig { Warmup = true };

        var loaded = await LoadAsync(CreateLoader());

        var session = Assert.Single(_sessions.Opened);
        Assert.Equal([1L], session.RunRows);
        Assert.Equal(1, pool.Rented);
        Assert.Equal(0, pool.Outstanding);
        // Warm-up is not traffic: the statistics start at zero, as Triton's do.
        Assert.Equal(0, _statistics.For(Key).Snapshot().InferenceCount);
        Assert.True(loaded.LoadTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task LoadAsync_DynamicBatchingOnCpu_OneLayoutGivesTheSessionItsThreadsAndTheBatcherItsInstances()
    {
        _repository.Configs["m"] = new ModelConfig { DynamicBatching = new DynamicBatchingConfig { InstanceCount = 2 } };

        var loaded = await LoadAsync(CreateLoader());

        var layout = Assert.Single(_sessions.Opened).Layout!;
        Assert.Equal(BatchingLayout.For(new DynamicBatchingConfig { InstanceCount = 2 }, null, ExecutionProvider.Cpu, Environment.ProcessorCount), layout);
        var batcher = Assert.IsType<DynamicBatcher>(loaded.Scheduler);
        Assert.Equal(layout.Instances, batcher.InstanceCount);
        loaded.Retire();
    }

    [Fact]
    public async Task LoadAsync_ServersIntraOpThreads_ReachTheSessionThroughTheLayout()
    {
        var loaded = await LoadAsync(CreateLoader(intraOpThreads: 3));

        Assert.Equal(new BatchingLayout(ExecutionProvider.Cpu, 1, 3), Assert.Single(_sessions.Opened).Layout);
        Assert.IsType<PassThroughScheduler>(loaded.Scheduler);
    }

    [Fact]
    public async Task LoadAsync_BatchingConfiguredButAFixedFirstDimension_PassesThrough()
    {
        _repository.Configs["m"] = new ModelConfig { DynamicBatching = new DynamicBatchingConfig() };
        _sessions.Inputs = [new("x", TensorDataType.FP32, [1, 4])];

        var loaded = await LoadAsync(CreateLoader());

        Assert.IsType<PassThroughScheduler>(loaded.Scheduler);
        Assert.False(loaded.HasBatchDimension);
    }

    [Fact]
    public async Task LoadAsync_RoomRefused_NoSessionOpened()
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => LoadAsync(CreateLoader(), _ => throw new ModelLoadException("no room")));

        Assert.Equal("no room", error.Message);
        Assert.Empty(_sessions.Opened);
    }
}
