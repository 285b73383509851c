using System.Diagnostics;
using Serverless.Core.Inference;

namespace Serverless.Tests.Core.Inference;

public sealed class SessionRunResultTests
{
    private static readonly long OneSecond = Stopwatch.Frequency;

    [Fact]
    public void ComputeTime_RanAlone_IsTheWholeRunWithoutQueueTime()
    {
        var run = new SessionRunResult([], OneSecond / 4, OneSecond / 2, OneSecond / 4) { QueueTicks = 10 * OneSecond, BatchRows = 2 };

        Assert.Equal(1.0, run.ComputeTime(ownRows: 2).TotalSeconds, precision: 6);
    }

    [Fact]
    public void ComputeTime_RodeInADynamicBatch_IsTheShareOfItsRows()
    {
        var run = new SessionRunResult([], 0, 4 * OneSecond, 0) { BatchRows = 32 };

        Assert.Equal(0.5, run.ComputeTime(ownRows: 4).TotalSeconds, precision: 6);
    }
}
