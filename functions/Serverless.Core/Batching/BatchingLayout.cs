using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// How a model uses the machine, decided once per load (<see cref="Cache.ModelLoader"/>) and handed to the session
/// factory: the provider it runs on, how many batches run at once (<c>instance_count</c>) and how many ONNX Runtime
/// intra-op threads each Run gets, where <c>config.json</c> does not say.
/// </summary>
/// <remarks>
/// On a CPU the default gives each instance two cores: cores / 2 instances (at least 1, at most
/// <see cref="MaxDefaultCpuInstances"/>), each Run with its share of the cores as intra-op threads: on 2 cores one
/// instance with two threads, on 4 two of two, on 16 four of four. A single-threaded Run streams all of the model's
/// weights through one core: measured from outside on the 256→2048×3→16 MLP on 2 cores (tests/Serverless.Benchmarks/
/// RESULTS.md, issue 26 fifth pass), one two-threaded instance used 6-26% less CPU a row than two single-threaded ones
/// at 1, 8, 16 and 32 clients, answered more rows a second at 1, 16 and 32 clients and about as many at 8 (an earlier
/// pass on the same kind of VM, with fewer windows, had found the two-threaded Runs dearer). Several instances, once
/// there are cores for them, keep one Run computing while another's requests are read and answered. A GPU keeps one
/// instance: its Runs are already parallel on the device and two would only compete for its memory.
/// </remarks>
public sealed record BatchingLayout(ExecutionProvider Provider, int Instances, int? IntraOpThreads)
{
    public const int MaxDefaultCpuInstances = 4;

    // Cores each default CPU instance gets (its Runs' intra-op threads), so that none runs single-threaded.
    private const int DefaultCoresPerCpuInstance = 2;

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
        var instances = batching.InstanceCount ?? (onCpu ? Math.Clamp(cores / DefaultCoresPerCpuInstance, 1, MaxDefaultCpuInstances) : 1);
        instances = Math.Max(1, instances);
        // Several instances with ONNX Runtime's default (a thread per core each) would put instances x cores threads
        // on the cores; each instance gets its share instead.
        var threads = intraOpThreads ?? (onCpu && instances > 1 ? Math.Max(1, cores / instances) : null);
        return new BatchingLayout(provider, instances, threads);
    }
}
