using Serverless.Core.Metering;

namespace Serverless.Tests.Metering;

public sealed class UsageRecordIdTests
{
    [Fact]
    public void New_IsAVersion7UuidInLowercaseHexWithoutDashes()
    {
        var id = UsageRecordId.New();

        Assert.Matches("^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$", id);
        Assert.Equal(7, Guid.ParseExact(id, "N").Version);
    }

    [Fact]
    public void New_StartsWithItsTimeInUnixMilliseconds()
    {
        var time = new DateTimeOffset(2026, 12, 5, 17, 30, 0, 123, TimeSpan.Zero);

        var id = UsageRecordId.New(time);

        Assert.Equal(time.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
    }

    [Fact]
    public void New_LaterMillisecond_SortsAfterAsText()
    {
        var time = DateTimeOffset.UtcNow;

        var earlier = UsageRecordId.New(time);
        var later = UsageRecordId.New(time.AddMilliseconds(1));

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Fact]
    public async Task New_ManyAtOnceOnSeveralThreads_AreAllDistinct()
    {
        // One millisecond for all, so only the random bits keep them apart.
        var time = DateTimeOffset.UtcNow;
        var batches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Enumerable.Range(0, 50_000).Select(_ => UsageRecordId.New(time)).ToList())));

        Assert.Equal(200_000, batches.SelectMany(b => b).Distinct().Count());
    }
}
