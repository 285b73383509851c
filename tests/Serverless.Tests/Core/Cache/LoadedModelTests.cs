using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Batching;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Core.Cache;

public sealed class LoadedModelTests
{
    private static readonly ModelKey Key = new("m", 1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ModelStatistics _statistics;

    public LoadedModelTests() => _statistics = new ModelStatistics(_time);

    private LoadedModel Create(FakeSession session, ModelConfig? config = null) =>
        new(Key, session, config ?? ModelConfig.Default, new PassThroughScheduler(session), _statistics, sizeBytes: 100);

    private static InferenceTensor X(params float[] values) =>
        new("x", TensorDataType.FP32, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    [Fact]
    public async Task RunAsync_NoOutputsNamed_RunsAndCountsEveryRow()
    {
        var session = new FakeSession(Key);
        var model = Create(session);

        using var result = (await model.RunAsync([X(1, 2, 3)], [])).Buffers;

        Assert.Equal([3L], session.RunRows);
        var stats = _statistics.Snapshot();
        Assert.Equal(3, stats.InferenceCount);
        Assert.Equal(1, stats.Success.Count);
    }

    [Fact]
    public async Task RunAsync_SuccessThenFailure_LastInferenceIsTheClockAtEach()
    {
        var model = Create(new FakeSession(Key));

        (await model.RunAsync([X(1)], [])).Buffers?.Dispose();
        var afterSuccess = _statistics.Snapshot().LastInferenceMs;
        _time.Advance(TimeSpan.FromSeconds(90));
        await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.RunAsync([X(1) with { Name = "z" }], []));

        Assert.Equal(_time.Start.ToUnixTimeMilliseconds(), afterSuccess);
        Assert.Equal(_time.Start.AddSeconds(90).ToUnixTimeMilliseconds(), _statistics.Snapshot().LastInferenceMs);
    }

    [Fact]
    public async Task RunAsync_InvalidInput_RefusedBeforeTheSessionAndCountedAsAFailure()
    {
        var session = new FakeSession(Key);
        var model = Create(session);

        var error = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.RunAsync([X(1) with { Name = "z" }], []));

        Assert.Contains("unexpected inference input 'z' for model 'm'", error.Message);
        Assert.Empty(session.RunRows);
        Assert.Equal(1, _statistics.Snapshot().Fail.Count);
    }

    [Fact]
    public async Task RunAsync_MoreRowsThanMaxBatchSize_Refused()
    {
        var session = new FakeSession(Key);
        var model = Create(session, new ModelConfig { MaxBatchSize = 2 });

        var error = await Assert.ThrowsAsync<InvalidInferenceInputException>(() => model.RunAsync([X(1, 2, 3)], ["y"]));

        Assert.Contains("exceeds the model's max_batch_size 2", error.Message);
        Assert.Empty(session.RunRows);
    }

    [Fact]
    public void Retire_NoLeases_DisposesSchedulerAndSession()
    {
        var session = new FakeSession(Key);
        var model = Create(session);

        model.Retire();

        Assert.True(model.IsDisposed);
        Assert.True(session.Disposed);
    }
}
