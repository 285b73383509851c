using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;

namespace Serverless.Tests.Core.Errors;

/// <summary>The one exception-to-status mapping that both a usage record and the HTTP answer use.</summary>
public sealed class ServerlessExceptionTests
{
    [Fact]
    public void StatusOf_OwnException_IsItsStatus() =>
        Assert.Equal(429, ServerlessException.StatusOf(new QuotaExceededException("over"), CancellationToken.None));

    [Fact]
    public async Task StatusOf_CancellationTheCallerCaused_IsClientClosedRequest()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        Assert.Equal(499, ServerlessException.StatusOf(new OperationCanceledException(gone.Token), gone.Token));
    }

    [Fact]
    public void StatusOf_CancellationTheCallerDidNotCause_Is503() =>
        Assert.Equal(503, ServerlessException.StatusOf(new TaskCanceledException("a timeout inside the server"), CancellationToken.None));

    [Fact]
    public void StatusOf_OutOfMemory_Is503() =>
        Assert.Equal(503, ServerlessException.StatusOf(new OutOfMemoryException(), CancellationToken.None));

    [Fact]
    public void StatusOf_AnythingElse_Is500() =>
        Assert.Equal(500, ServerlessException.StatusOf(new InvalidOperationException("bug"), CancellationToken.None));
}
