using Serverless.Core.Infrastructure.GenAI;

namespace Serverless.Tests.Core.Text.Generation;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void Append_StopSpanningPieces_HoldsItsStartThenEndsBeforeIt()
    {
        var matcher = new StopStringMatcher(["END"]);

        Assert.Equal(("abc", false), matcher.Append("abcE"));
        Assert.Equal(("", false), matcher.Append("N"));
        Assert.Equal(("", true), matcher.Append("Dxyz"));
    }

    [Fact]
    public void Append_HeldTextThatTurnsOutNotToStop_IsReleasedWithTheNextPiece()
    {
        var matcher = new StopStringMatcher(["END"]);

        Assert.Equal(("a", false), matcher.Append("aEN"));
        Assert.Equal(("ENx", false), matcher.Append("x"));
        Assert.Equal(("", false), matcher.Append("E"));
        Assert.Equal("E", matcher.Flush());
    }

    [Fact]
    public void Append_EarliestOfSeveralStops_Wins()
    {
        var matcher = new StopStringMatcher(["world", "lo w"]);

        Assert.Equal(("hel", true), matcher.Append("hello world"));
    }

    [Fact]
    public void Append_NoStops_PassesTextThrough()
    {
        var matcher = new StopStringMatcher([""]);

        Assert.Equal(("anything", false), matcher.Append("anything"));
        Assert.Equal("", matcher.Flush());
    }
}
