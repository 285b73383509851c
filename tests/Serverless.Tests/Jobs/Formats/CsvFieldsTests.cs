using System.Text;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Tests.Jobs.Formats;

public sealed class CsvFieldsTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("\"x,y\",2", new[] { "x,y", "2" })]
    [InlineData("\"say \"\"hi\"\"\",3", new[] { "say \"hi\"", "3" })]
    [InlineData(",,", new[] { "", "", "" })]
    public void Split_QuotedAndEmptyFields_SplitsAtUnquotedCommas(string line, string[] expected)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var ranges = new Range[8];

        var count = CsvFields.Split(bytes, ranges);

        Assert.Equal(expected, ranges[..count].Select(r => CsvFields.Text(bytes.AsSpan()[r])));
    }

    [Fact]
    public void Split_MoreFieldsThanCapacity_ReturnsMinusOne()
    {
        Assert.Equal(-1, CsvFields.Split("1,2,3"u8, new Range[2]));
    }
}
