using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Batching;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Repository;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Jobs;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>
/// A GPU failure during a run, injected at the session seam: the real ONNX Runtime session, whose next run fails as a
/// CUDA out-of-memory does (ORT's message, through the same translation the real session applies).
/// </summary>
public sealed class ModelRunFailureTests
{
    private const string CudaOutOfMemory = "[ErrorCode:RuntimeException] Non-zero status code returned while running MatMul node. Name:'MatMul_0' Status Message: CUDA failure 2: out of memory ; GPU=0 ; hostname=replica-1 ; file=cuda_allocator.cc ; line=48 ; expr=cudaMalloc((void**)&p, size);";

    private readonly FaultySessionFactory _faults = new();

    private Task<ServerlessHost> StartAsync(params (string Key, string Value)[] settings) =>
        ServerlessHost.StartWithServicesAsync(services =>
        {
            services.AddSingleton<OnnxSessionFactory>();
            services.AddSingleton<IModelSessionFactory>(provider => _faults.Over(provider.GetRequiredService<OnnxSessionFactory>()));
        }, [("Models:Repository", RepositoryPaths.SampleModels), .. settings]);

    [Fact]
    public async Task Infer_GpuRunsOutOfMemory_Returns503ForThatRequestAndKeepsServing()
    {
        await using var host = await StartAsync();
        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);

        _faults.FailNextRuns(1);
        var failed = await host.Client.InferAsync("iris-mlp", IrisTwoRows);

        await failed.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "model iris-mlp v1 ran out of GPU memory");
        Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Single(_faults.Opened);
    }

    [Fact]
    public async Task Infer_ProcessRunsOutOfMemory_Returns503WithRetryAfterAndKeepsServing()
    {
        await using var host = await StartAsync();
        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);

        // What a large request meets under a container memory limit: the runtime's own OutOfMemoryException.
        _faults.FailNextRuns(1, () => new OutOfMemoryException());
        var failed = await host.Client.InferAsync("iris-mlp", IrisTwoRows);

        await failed.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "ran out of memory");
        Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Job_GpuFailsDuringAShard_RetriesTheShardAndMarksNoRowBad()
    {
        await using var host = await StartAsync(("Jobs:VisibilityTimeoutSeconds", "1"));
        var root = Path.Combine(host.DataDirectory, "jobs");
        Directory.CreateDirectory(Path.Combine(root, "in"));
        await File.WriteAllTextAsync(Path.Combine(root, "in", "iris.jsonl"), IrisRows.Jsonl(40));
        // Load the model first, so its warm-up run is not the one that fails.
        await (await host.Client.InferAsync("iris-mlp", IrisTwoRows)).ReadJsonAsync(HttpStatusCode.OK);

        _faults.FailNextRuns(1);
        var submitted = await host.Client.PostAsJsonAsync("/jobs", new { id = "gpu-oom", model = "iris-mlp", input = "in/iris.jsonl", output = "out/iris", batch_size = 16 });

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await JobPolling.WaitForFinishAsync(host.Client, "gpu-oom");
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal(40, status.GetProperty("rows").GetProperty("scored").GetInt64());
        Assert.Equal(0, status.GetProperty("rows").GetProperty("failed").GetInt64());
        Assert.Equal(0, _faults.RunsLeftToFail);
        Assert.False(File.Exists(Path.Combine(root, "out", "iris", "_errors.jsonl")));
    }

    private sealed class FaultySessionFactory
    {
        private int _failures;

        public List<IModelSession> Opened { get; } = [];

        public int RunsLeftToFail => Volatile.Read(ref _failures);

        /// <summary>What a failing run throws; null: ONNX Runtime's CUDA out-of-memory, through the real translation.</summary>
        public Func<Exception>? Fault { get; private set; }

        public void FailNextRuns(int count, Func<Exception>? fault = null)
        {
            Fault = fault;
            Volatile.Write(ref _failures, count);
        }

        public IModelSessionFactory Over(IModelSessionFactory real) => new Factory(this, real);

        private bool TakeFailure()
        {
            var left = Volatile.Read(ref _failures);
            while (left > 0)
            {
                var seen = Interlocked.CompareExchange(ref _failures, left - 1, left);
                if (seen == left)
                {
                    return true;
                }
                left = seen;
            }
            return false;
        }

        private sealed class Factory(FaultySessionFactory faults, IModelSessionFactory real) : IModelSessionFactory
        {
            public ExecutionProvider ProviderFor(ModelKey key, ModelConfig config) => real.ProviderFor(key, config);

            public IModelSession Open(ModelKey key, ModelFile file, ModelConfig config, BatchingLayout layout)
            {
                var session = new Session(faults, key, real.Open(key, file, config, layout));
                lock (faults.Opened)
                {
                    faults.Opened.Add(session);
                }
                return session;
            }
        }

        private sealed class Session(FaultySessionFactory faults, ModelKey key, IModelSession real) : IModelSession
        {
            public ExecutionProvider ExecutionProvider => real.ExecutionProvider;

            public IReadOnlyList<TensorMetadata> Inputs => real.Inputs;

            public IReadOnlyList<TensorMetadata> Outputs => real.Outputs;

            public SessionRunResult Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames) =>
                faults.TakeFailure()
                    ? throw faults.Fault?.Invoke() ?? OnnxRunFailure.Translate(key, ExecutionProvider.Cuda, CudaOutOfMemory, null)
                    : real.Run(inputs, outputNames);

            public void Dispose() => real.Dispose();
        }
    }
}
