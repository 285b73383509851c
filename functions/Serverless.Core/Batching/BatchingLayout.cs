using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// How a model uses the machine, decided once per load (<see cref="Cache.ModelLoader"/>) and handed to the session
/// factory: the provider it runs on, how many batches run at once (<c>instance_count</c>) and how many ONNX Runtime
/// intra-op threads each Run gets, where <c>config.json</c> does not say.
/// </summary>
/// <remarks>
/// On a CPU the default is one instance per core (at most <see cref="MaxDefaultCpuInstances"/>), sharing the cores
/// between them: on 2 cores, two single-threaded instances. Measured from outside on the 256→2048×3→16 MLP with 32
/// clients (tests/Serverless.Benchmarks/RESULTS.md): one instance whose Runs use both cores left both cores waiting on
/// HTTP between Runs, and its two-thread Runs slowed down whenever a request's parsing took one of the cores (a
/// parallel Run waits for its slowest thread); with one Run per core, one instance computes while the other's
/// requests are read and answered. Beyond 4 cores the instances get several threads each, so that merged batches stay
/// large at moderate concurrency (not measured here: the benchmark machine has 2 cores). A GPU keeps one instance:
/// its Runs are already parallel on the device and two would only compete for its memory.
/// </remarks>
public sealed record BatchingLayout(ExecutionProvider Provider, int Instances, int? IntraOpThreads)
{
    public const int MaxDefaultCpuInstances = 4;

    /// <param name="batching">The model's dynamic batching; null or disabled: no batcher, ONNX Runtime's own threads.</param>
    /// <param name="intraOpThreads">The model's <c>intra_op_threads</c>, else <c>Inference:IntraOpThreads</c> when not 0; wins when set.</param>
    /// <param name="provider">The provider the session will run on.</param>
    /// <param name="cores">Cores this process may use (<see cref="Environment.ProcessorCount"/>).</param>
    public static BatchingLayout For(DynamicBatchingConfig? batching, int? intraOpThreads, ExecutionProvider provider, int cores)
    {
        if (batching is not { Enabled: true })
        {
            return new BatchingLayout(provider, 1, intraOpThreads);
        }
        var onCpu = provider == ExecutionProvider.Cpu;
        var instances = batching.InstanceCount ?? (onCpu ? Math.Clamp(cores, 1, MaxDefaultCpuInstances) : 1);
        instances = Math.Max(1, instances);
        // Several instances with ONNX Runtime's default (a thread per core each) would put instances x cores threads
        // on the cores; each instance gets its share instead.
        var threads = intraOpThreads ?? (onCpu && instances > 1 ? Math.Max(1, cores / instances) : null);
        return new BatchingLayout(provider, instances, threads);
    }
}
