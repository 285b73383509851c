using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Batching;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;
using Serverless.Core.Repository;
using Serverless.Testing;
using Serverless.Tests.Fakes;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>A shard scored over fake sessions: which door its batches take, and what they give back.</summary>
public sealed class ShardScorerTests : IDisposable
{
    private static readonly ModelKey Key = new("m", 1);
    private readonly string _root = Directory.CreateTempSubdirectory("shard-scorer-").FullName;
    private readonly FakeModelRepository _repository = new();
    private readonly FakeSessionFactory _sessions = new();
    private readonly CountingArrayPool _pool = new();
    private readonly InferenceStatistics _statistics = new(TimeProvider.System);
    private readonly ModelCache _cache;
    private readonly ShardScorer _scorer;

    public ShardScorerTests()
    {
        _repository.Versions["m"] = [1];
        _sessions.OutputPool = _pool;
        var options = Options.Create(new ModelsOptions { RefreshIntervalSeconds = 30 });
        _cache = TestModelCaches.Create(_repository, _sessions, options, TimeProvider.System, _statistics);
        _scorer = new ShardScorer(new LocalJobFiles(_root), _cache, Options.Create(new JobsOptions()), NullLogger<ShardScorer>.Instance);
    }

    public void Dispose()
    {
        _cache.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>One shard over the whole input: one <c>{"x": n}</c> line per value.</summary>
    private JobRecord Job(float[] values, int? batchSize = null)
    {
        var input = Path.Combine(_root, "in.jsonl");
        File.WriteAllLines(input, values.Select(v => $$"""{"x": {{v.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"""));
        var bytes = new FileInfo(input).Length;
        return new JobRecord
        {
            Id = "job1",
            Request = new JobRequest { Model = "m", Input = "in.jsonl", Output = "out", BatchSize = batchSize },
            InputBytes = bytes,
            ShardBytes = bytes,
            Shards = ".",
            ModelVersion = 1,
        };
    }

    [Fact]
    public async Task ScoreAsync_EveryBatch_RunsThroughTheModelAndReturnsItsOutputBuffers()
    {
        var result = await _scorer.ScoreAsync(Job([1, 2, 3, 4, 5], batchSize: 2), 0);

        Assert.Equal(5, result.RowsScored);
        Assert.Equal([2L, 2L, 1L], Assert.Single(_sessions.Opened).RunRows);
        Assert.Equal(3, _pool.Rented);
        Assert.Equal(0, _pool.Outstanding);
        // Counted where HTTP requests are: the loaded model's statistics.
        Assert.Equal(5, _statistics.For(Key).Snapshot().InferenceCount);
    }

    [Fact]
    public async Task ScoreAsync_AndAnHttpRequestOnABatchingModel_RideInOneRun()
    {
        // One instance, and a delay no test waits out: the two requests are batched together or the test hangs.
        _repository.Configs["m"] = new ModelConfig
        {
            MaxBatchSize = 8,
            DynamicBatching = new DynamicBatchingConfig { MaxQueueDelayUs = 60_000_000, PreferredBatchSizes = [3], InstanceCount = 1 },
        };
        var service = new InferenceService(_cache);
        float[] one = [7];

        var http = service.InferAsync("m", null, new InferenceRequest(null, [new("x", TensorDataType.FP32, [1], MemoryMarshal.AsBytes(one.AsSpan()).ToArray())], []));
        var shard = _scorer.ScoreAsync(Job([1, 2]), 0);
        var (response, result) = (await http, await shard);

        using (response)
        {
            Assert.Equal([3L], Assert.Single(_sessions.Opened).RunRows);
            Assert.Equal(2, result.RowsScored);
            Assert.Equal([7f], MemoryMarshal.Cast<byte, float>(response.Outputs[0].Data.Span).ToArray());
        }
        Assert.Equal(0, _pool.Outstanding);
        Assert.Equal(3, _statistics.For(Key).Snapshot().InferenceCount);
        Assert.Equal(1, _statistics.For(Key).Snapshot().ExecutionCount);
    }

    [Fact]
    public async Task ScoreAsync_BatchShedByASaturatedBatcher_WaitsAndTriesAgain()
    {
        // One instance and room for one waiting request: while an HTTP request runs and another waits, the queue is full.
        _repository.Configs["m"] = new ModelConfig
        {
            DynamicBatching = new DynamicBatchingConfig { MaxQueueDelayUs = 0, MaxQueueSize = 1, InstanceCount = 1 },
        };
        using var gate = new SemaphoreSlim(0);
        _sessions.RunGate = gate;
        var service = new InferenceService(_cache);
        var row = new InferenceRequest(null, [new("x", TensorDataType.FP32, [1], new byte[4])], []);

        var running = service.InferAsync("m", null, row);
        await Eventually.TrueAsync(() => _sessions.Opened.Count == 1 && _sessions.Opened[0].RunRows.Length == 1, "the HTTP request's Run starting");
        var waiting = service.InferAsync("m", null, row);
        var shard = _scorer.ScoreAsync(Job([1, 2]), 0);
        // Shed once: the statistics count the refusal.
        await Eventually.TrueAsync(() => _statistics.For(Key).Snapshot().Fail.Count == 1, "the shard's batch being shed");
        gate.Release(3);
        using (await running)
        using (await waiting)
        {
        }
        var result = await shard;

        Assert.Equal(2, result.RowsScored);
        Assert.Equal(0, result.RowsFailed);
        Assert.Equal([1L, 1L, 2L], _sessions.Opened[0].RunRows);
    }

    [UnixFact]
    public async Task ScoreAsync_InputReplacedByANamedPipeAfterPlanning_FailsTheJobInsteadOfBlocking()
    {
        var job = Job([1, 2]);
        var input = Path.Combine(_root, "in.jsonl");
        File.Delete(input);
        NamedPipe.Create(input);

        // Off the test's thread: before the check, opening the pipe blocked the calling thread until a writer came.
        var scoring = Task.Run(() => _scorer.ScoreAsync(job, 0));
        var error = await Assert.ThrowsAsync<InvalidJobException>(() => scoring.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("'input' 'in.jsonl' is a named pipe (FIFO): a job reads a regular file", error.Message);
    }
}
