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
        Assert.Equal(CsvFields.TooManyFields, CsvFields.Split("1,2,3"u8, new Range[2]));
    }

    [Theory]
    [InlineData("1,\"starts here")]
    [InlineData("\"")]
    [InlineData("\"ends with an escaped quote\"\"")]
    public void Split_QuoteStillOpenAtEndOfLine_ReportsUnterminatedQuote(string line)
    {
        Assert.Equal(CsvFields.UnterminatedQuote, CsvFields.Split(Encoding.UTF8.GetBytes(line), new Range[8]));
    }

    [Theory]
    [InlineData("a break\",5.1,3.5")]
    [InlineData("5\" screen,1")]
    public void Split_QuoteInsideUnquotedField_ReportsStrayQuote(string line)
    {
        Assert.Equal(CsvFields.StrayQuote, CsvFields.Split(Encoding.UTF8.GetBytes(line), new Range[8]));
    }

    [Fact]
    public void Split_QuotedLastField_IsNotUnterminated()
    {
        var bytes = "1,\"last\""u8.ToArray();
        var ranges = new Range[8];

        var count = CsvFields.Split(bytes, ranges);

        Assert.Equal(["1", "last"], ranges[..count].Select(r => CsvFields.Text(bytes.AsSpan()[r])));
    }
}
