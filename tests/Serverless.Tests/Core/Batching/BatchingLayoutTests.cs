using Serverless.Core.Batching;
using Serverless.Core.Inference;

namespace Serverless.Tests.Core.Batching;

public sealed class BatchingLayoutTests
{
    private const ExecutionProvider Cpu = ExecutionProvider.Cpu;
    private const ExecutionProvider Cuda = ExecutionProvider.Cuda;
    private static readonly DynamicBatchingConfig MinimalOptIn = new() { MaxBatchSize = 32 };

    [Fact]
    public void For_MinimalOptInOnTwoCpuCores_OneInstanceWithOnnxRuntimesThreads()
    {
        Assert.Equal(new BatchingLayout(Cpu, 1, null), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 2));
        Assert.Equal(new BatchingLayout(Cpu, 1, null), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 3));
        Assert.Equal(new BatchingLayout(Cpu, 1, null), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 1));
    }

    [Fact]
    public void For_MoreCpuCores_AnInstancePerTwoCoresUpToFour()
    {
        Assert.Equal(new BatchingLayout(Cpu, 2, 2), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 4));
        Assert.Equal(new BatchingLayout(Cpu, 3, 2), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 6));
        Assert.Equal(new BatchingLayout(Cpu, 4, 2), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 8));
        Assert.Equal(new BatchingLayout(Cpu, 4, 4), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cpu, cores: 16));
    }

    [Fact]
    public void For_Gpu_KeepsOneInstanceWithOnnxRuntimesThreads()
    {
        Assert.Equal(new BatchingLayout(Cuda, 1, null), BatchingLayout.For(MinimalOptIn, intraOpThreads: null, Cuda, cores: 16));
    }

    [Fact]
    public void For_ExplicitInstanceCount_ThreadsAreTheCoresShare()
    {
        Assert.Equal(new BatchingLayout(Cpu, 3, 2), BatchingLayout.For(MinimalOptIn with { InstanceCount = 3 }, intraOpThreads: null, Cpu, cores: 8));
        // One instance asked for: ONNX Runtime's own thread count, as before defaults existed.
        Assert.Equal(new BatchingLayout(Cpu, 1, null), BatchingLayout.For(MinimalOptIn with { InstanceCount = 1 }, intraOpThreads: null, Cpu, cores: 8));
    }

    [Fact]
    public void For_ExplicitIntraOpThreads_Win()
    {
        Assert.Equal(new BatchingLayout(Cpu, 2, 1), BatchingLayout.For(MinimalOptIn, intraOpThreads: 1, Cpu, cores: 4));
        Assert.Equal(new BatchingLayout(Cpu, 1, 1), BatchingLayout.For(MinimalOptIn, intraOpThreads: 1, Cpu, cores: 2));
    }

    [Fact]
    public void For_NoOrDisabledBatching_OneInstanceAndOnlyTheConfiguredThreads()
    {
        Assert.Equal(new BatchingLayout(Cpu, 1, null), BatchingLayout.For(null, intraOpThreads: null, Cpu, cores: 2));
        Assert.Equal(new BatchingLayout(Cpu, 1, 3), BatchingLayout.For(MinimalOptIn with { Enabled = false }, intraOpThreads: 3, Cpu, cores: 2));
    }
}
