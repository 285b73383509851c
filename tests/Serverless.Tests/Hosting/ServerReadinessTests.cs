using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

public sealed class ServerReadinessTests
{
    [Fact]
    public void Readiness_PreloadDoneButACheckHolds_NotReadyWithTheChecksReason()
    {
        var disk = new Check { NotReadyReason = "the server's data disk is full: usage records left by the last run cannot be stored yet; retry later" };
        var readiness = new ServerReadiness([disk]);
        readiness.MarkReady();

        Assert.False(readiness.IsReady);
        Assert.Equal(disk.NotReadyReason, readiness.Reason);

        disk.NotReadyReason = null;
        Assert.True(readiness.IsReady);
    }

    [Fact]
    public void Readiness_PreloadUnderWay_ItsReasonFirst()
    {
        var readiness = new ServerReadiness([new Check { NotReadyReason = "disk" }]);
        readiness.MarkNotReady("preloading big");

        Assert.Equal("preloading big", readiness.Reason);
    }

    private sealed class Check : IReadinessCheck
    {
        public string? NotReadyReason { get; set; }
    }
}
