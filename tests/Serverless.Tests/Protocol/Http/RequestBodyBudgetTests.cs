using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Functions.Hosting;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Tests.Protocol.Http;

/// <summary>The buffered-bytes budget: the total cap, one caller's share of it, and reservations returned whole.</summary>
public sealed class RequestBodyBudgetTests
{
    private static RequestBodyBudget Budget(long total, long? perCaller = null, int maxRequest = 1024) =>
        new(Options.Create(new RequestBodyOptions { MaxRequestBytes = maxRequest, MaxBufferedRequestBytes = total, MaxBufferedRequestBytesPerCaller = perCaller }));

    [Fact]
    public void CallerShare_Unset_IsAQuarterOfTheTotalButAtLeastOneLargestBody()
    {
        Assert.Equal(4096, Budget(16384).CallerCapacity);
        Assert.Equal(2048, Budget(4096, maxRequest: 2048).CallerCapacity);
        Assert.Equal(4096, Budget(4096, perCaller: 1 << 20).CallerCapacity);
    }

    [Fact]
    public void Grow_PastTheCallersShare_RefusesThatCallerOnlyNamingTheSetting()
    {
        var budget = Budget(16384, perCaller: 4096);
        using var first = budget.Open("a");
        using var second = budget.Open("a");
        using var other = budget.Open("b");

        first.Grow(4096);
        var refused = Assert.Throws<ServerBusyException>(() => second.Grow(1));
        other.Grow(4096);

        Assert.Contains("Inference:MaxBufferedRequestBytesPerCaller", refused.Message);
        Assert.Equal(1, refused.RetryAfterSeconds);
        Assert.Equal(8192, budget.Reserved);
        Assert.Equal(4096, budget.ReservedBy("a"));
    }

    [Fact]
    public void Grow_PastTheTotal_RefusesNamingTheTotal()
    {
        var budget = Budget(8192, perCaller: 8192);
        using var held = budget.Open("a");
        using var refused = budget.Open("b");

        held.Grow(8000);
        var full = Assert.Throws<ServerBusyException>(() => refused.Grow(1024));

        Assert.Contains("Inference:MaxBufferedRequestBytes allows", full.Message);
        Assert.Equal(0, budget.ReservedBy("b"));
    }

    [Fact]
    public void Dispose_ReturnsEverythingTheRequestReserved()
    {
        var budget = Budget(16384);
        var reservation = budget.Open("a");
        reservation.Grow(1000);
        reservation.Grow(2000);

        reservation.Dispose();
        reservation.Dispose();

        Assert.Equal(0, budget.Reserved);
        Assert.Equal(0, budget.ReservedBy("a"));
    }
}
