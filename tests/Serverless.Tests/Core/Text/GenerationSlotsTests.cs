using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Text.Generation;

namespace Serverless.Tests.Core.Text;

public sealed class GenerationSlotsTests
{
    private static readonly ModelKey Key = new("chat", 1);

    private readonly GenerationSlots _slots = new(Options.Create(new GenerationSettings { MaxConcurrentPerModel = 3 }));

    [Fact]
    public void Take_AfterEverySlotWasGivenBack_TakesAgain()
    {
        _slots.Take(Key, 3).Dispose();

        using var again = _slots.Take(Key, 2);

        Assert.Equal(2, _slots.InUse(Key));
    }

    [Fact]
    public void Take_MoreThanAreFree_Is429AndTakesNone()
    {
        using var held = _slots.Take(Key, 2);

        var busy = Assert.Throws<GenerationsBusyException>(() => _slots.Take(Key, 2));

        Assert.Equal(429, busy.StatusCode);
        Assert.Equal(2, _slots.InUse(Key));
    }

    [Fact]
    public void Dispose_Twice_GivesTheSlotsBackOnce()
    {
        using var other = _slots.Take(Key, 1);
        var slot = _slots.Take(Key, 2);

        slot.Dispose();
        slot.Dispose();

        Assert.Equal(1, _slots.InUse(Key));
    }
}
