using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Tests.Core.Batching;

public sealed class DynamicBatcherTests
{
    private static readonly ModelKey Key = new("m", 1);
    // Frozen unless a test moves it: a queue delay or timeout passes only when the test says so.
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task RunAsync_ConcurrentRequests_MergedIntoOneRunAndSplitBack()
    {
        using var session = new RecordingSession();
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 5_000_000, PreferredBatchSizes = [8] }, 0, _time);

        var requests = Enumerable.Range(0, 8).Select(i => batcher.RunAsync([Row(i, width: 3)], ["y"], default)).ToList();
        var results = await Task.WhenAll(requests);

        Assert.Equal([8L], session.RunRows);
        for (var i = 0; i < 8; i++)
        {
            var output = Assert.Single(results[i].Outputs);
            Assert.Equal([1L, 3L], output.Shape);
            Assert.Equal(Values(i, 3), MemoryMarshal.Cast<byte, float>(output.Data.Span).ToArray());
            Assert.Equal(8, results[i].BatchRows);
        }
        // One model execution, counted once: the statistics' execution_count stays Triton's.
        Assert.Equal(1, results.Count(r => r.CountsExecution));
    }

    [Fact]
    public async Task RunAsync_DifferentInnerShapes_GoToDifferentBatches()
    {
        using var session = new RecordingSession();
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 200_000, PreferredBatchSizes = [4] }, 0, _time);

        var narrow = Enumerable.Range(0, 4).Select(i => batcher.RunAsync([Row(i, width: 2)], ["y"], default));
        var wide = Enumerable.Range(0, 4).Select(i => batcher.RunAsync([Row(i, width: 5)], ["y"], default));
        var results = await Task.WhenAll(narrow.Concat(wide));

        Assert.Equal([4L, 4L], session.RunRows);
        Assert.All(results.Take(4), r => Assert.Equal(2L, r.Outputs[0].Shape[1]));
        Assert.All(results.Skip(4), r => Assert.Equal(5L, r.Outputs[0].Shape[1]));
    }

    [Fact]
    public async Task RunAsync_AloneInTheQueue_RunsAfterTheDelayWithoutCompany()
    {
        using var session = new RecordingSession();
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 1000 }, 0, _time);

        var running = batcher.RunAsync([Row(7, width: 2)], ["y"], default);
        // The clock stands still: the request waits for company however long the worker looks.
        Assert.Empty(session.RunRows);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await running;

        Assert.Equal([1L], session.RunRows);
        Assert.Equal(Values(7, 2), MemoryMarshal.Cast<byte, float>(result.Outputs[0].Data.Span).ToArray());
    }

    [Fact]
    public async Task RunAsync_BatchRunFails_EachRequestRunsAloneAndOnlyTheBadOneFails()
    {
        // A session that refuses any batch of several rows, and the row starting with 20 on its own.
        var session = new Mock<IModelSession>();
        session.Setup(s => s.Run(It.IsAny<IReadOnlyList<InferenceTensor>>(), It.IsAny<IReadOnlyList<string>>()))
            .Returns((IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> _) =>
                inputs[0].Shape[0] > 1 || MemoryMarshal.Cast<byte, float>(inputs[0].Data.Span)[0] == 20f
                    ? throw new InvalidOperationException("bad row")
                    : new SessionRunResult([inputs[0] with { Name = "y" }], 0, 0, 0));
        using var batcher = new DynamicBatcher(Key, session.Object, new DynamicBatchingConfig { MaxQueueDelayUs = 5_000_000, PreferredBatchSizes = [3] }, 0, _time);

        var requests = Enumerable.Range(0, 3).Select(i => batcher.RunAsync([Row(i, width: 2)], ["y"], default)).ToList();

        Assert.Equal(Values(0, 2), MemoryMarshal.Cast<byte, float>((await requests[0]).Outputs[0].Data.Span).ToArray());
        Assert.Equal(Values(1, 2), MemoryMarshal.Cast<byte, float>((await requests[1]).Outputs[0].Data.Span).ToArray());
        Assert.Equal("bad row", (await Assert.ThrowsAsync<InvalidOperationException>(() => requests[2])).Message);
        session.Verify(s => s.Run(It.Is<IReadOnlyList<InferenceTensor>>(inputs => inputs[0].Shape[0] == 3), It.IsAny<IReadOnlyList<string>>()), Times.Once);
    }

    [Fact]
    public async Task RunAsync_QueueFull_ShedsWith503()
    {
        using var session = new RecordingSession { Gate = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 0, MaxQueueSize = 2, MaxBatchSize = 1 }, 0, _time);

        var running = batcher.RunAsync([Row(0, 1)], ["y"], default);
        Assert.True(await session.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "the first request never ran");
        var queued = new[] { batcher.RunAsync([Row(1, 1)], ["y"], default), batcher.RunAsync([Row(2, 1)], ["y"], default) };
        var shed = await Assert.ThrowsAsync<ModelOverloadedException>(() => batcher.RunAsync([Row(3, 1)], ["y"], default));

        Assert.Equal(503, shed.StatusCode);
        Assert.Equal(1, shed.RetryAfterSeconds);
        session.Gate.Release(3);
        await Task.WhenAll(queued.Append(running));
    }

    [Fact]
    public async Task RunAsync_WaitedPastTimeout_RejectedWith503()
    {
        using var session = new RecordingSession { Gate = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 0, MaxBatchSize = 1, DefaultTimeoutUs = 1_000_000 }, 0, _time);

        var running = batcher.RunAsync([Row(0, 1)], ["y"], default);
        Assert.True(await session.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "the first request never ran");
        var late = batcher.RunAsync([Row(1, 1)], ["y"], default);
        // The queued request's 1 s timeout passes while the first one holds the session.
        _time.Advance(TimeSpan.FromSeconds(1.5));
        session.Gate.Release(2);

        await running;
        await Assert.ThrowsAsync<ModelOverloadedException>(() => late);
    }

    [Fact]
    public async Task QueueDelay_NotConfigured_FollowsHalfTheRunTimeUpToTheCap()
    {
        using var gate = new SemaphoreSlim(0);
        using var session = new RecordingSession { Gate = gate };
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig(), 0, _time);
        // No Run yet: nothing to scale by, so the first request does not wait.
        Assert.Equal(TimeSpan.Zero, batcher.QueueDelay);

        var held = batcher.RunAsync([Row(0, width: 2)], ["y"], default);
        await session.Entered.WaitAsync();
        // The Run takes 20 ms: half of it is over the cap.
        _time.Advance(TimeSpan.FromMilliseconds(20));
        gate.Release();
        await held;

        Assert.Equal(TimeSpan.FromMicroseconds(DynamicBatcher.MaxAutomaticQueueDelayUs), batcher.QueueDelay);
    }

    [Fact]
    public void QueueDelay_Configured_IsThatDelay()
    {
        using var session = new RecordingSession();
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 7000 }, 0, _time);

        Assert.Equal(TimeSpan.FromMicroseconds(7000), batcher.QueueDelay);
    }

    [Fact]
    public async Task RunAsync_TwoInstances_RunTwoBatchesAtOnce()
    {
        using var gate = new SemaphoreSlim(0);
        using var session = new RecordingSession { Gate = gate };
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 0, MaxBatchSize = 1 }, 0, _time, instances: 2);

        var first = batcher.RunAsync([Row(0, width: 2)], ["y"], default);
        var second = batcher.RunAsync([Row(1, width: 2)], ["y"], default);
        // Both Runs entered while neither was released: two workers.
        Assert.True(await session.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "no Run started");
        Assert.True(await session.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "the second Run waited for the first");
        gate.Release(2);
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, batcher.InstanceCount);
    }

    [Fact]
    public async Task RunAsync_TwoIdleInstances_OneOfThemGathersEveryArrival()
    {
        using var session = new RecordingSession();
        // The clock stands still, so only a full preferred batch can start a Run: split between two gathering
        // instances, neither half would ever run.
        using var batcher = new DynamicBatcher(Key, session, new DynamicBatchingConfig { MaxQueueDelayUs = 5_000_000, PreferredBatchSizes = [8] }, 0, _time, instances: 2);

        var requests = new List<Task<SessionRunResult>>();
        for (var i = 0; i < 8; i++)
        {
            requests.Add(batcher.RunAsync([Row(i, width: 3)], ["y"], default));
            // Arrivals spread out (not a wait for any result): each one finds both instances awake and looking.
            await Task.Delay(2);
        }
        await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([8L], session.RunRows);
    }

    private static InferenceTensor Row(int seed, int width)
    {
        var values = Values(seed, width);
        return new InferenceTensor("x", TensorDataType.FP32, [1, width], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    private static float[] Values(int seed, int width) => Enumerable.Range(0, width).Select(j => seed * 10f + j).ToArray();

    /// <summary>Echoes x as y and records the rows of every Run; can hold a Run until released.</summary>
    private sealed class RecordingSession(long[]? inputShape = null) : IModelSession
    {
        private readonly List<long> _runRows = [];

        public SemaphoreSlim? Gate { get; init; }

        public SemaphoreSlim Entered { get; } = new(0);

        public long[] RunRows { get { lock (_runRows) { return [.. _runRows]; } } }

        public ExecutionProvider ExecutionProvider => ExecutionProvider.Cpu;

        public IReadOnlyList<TensorMetadata> Inputs { get; } = [new("x", TensorDataType.FP32, inputShape ?? [-1, -1])];

        public IReadOnlyList<TensorMetadata> Outputs { get; } = [new("y", TensorDataType.FP32, [-1, -1])];

        public SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames)
        {
            lock (_runRows)
            {
                _runRows.Add(inputs[0].Shape[0]);
            }
            Entered.Release();
            Gate?.Wait();
            return new SessionRunResult([inputs[0] with { Name = "y", Data = inputs[0].Data.ToArray() }], 0, 0, 0);
        }

        public void Dispose()
        {
        }
    }
}
