using System.Text;
using Serverless.Core.Jobs.Formats;

namespace Serverless.Tests.Jobs.Formats;

public sealed class ShardLineReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(100)]
    public async Task ShardLineReader_AnyShardSize_EveryLineReadByExactlyOneShard(int shardBytes)
    {
        var lines = Enumerable.Range(0, 40).Select(i => new string('x', i % 9) + i).ToList();
        lines[5] = "";
        var bytes = Encoding.UTF8.GetBytes(string.Join("\n", lines));
        var read = new List<string>();

        for (long start = 0; start < bytes.Length; start += shardBytes)
        {
            var stream = new MemoryStream(bytes) { Position = start > 0 ? start - 1 : 0 };
            var reader = new ShardLineReader(stream, start, Math.Min(bytes.Length, start + shardBytes));
            while (await reader.MoveNextAsync(CancellationToken.None))
            {
                read.Add(Encoding.UTF8.GetString(reader.Line));
            }
        }

        Assert.Equal(lines, read);
    }

    [Fact]
    public async Task ShardLineReader_CrLfLineEndings_StripsCarriageReturn()
    {
        var reader = new ShardLineReader(new MemoryStream("a,b\r\nc,d\r\n"u8.ToArray()), 0, 10);
        var read = new List<string>();
        while (await reader.MoveNextAsync(CancellationToken.None))
        {
            read.Add(Encoding.UTF8.GetString(reader.Line));
        }

        Assert.Equal(["a,b", "c,d"], read);
    }

    [Fact]
    public async Task ShardLineReader_LineLongerThanBuffer_ReadsItWhole()
    {
        var longLine = new string('y', 600_000);
        var reader = new ShardLineReader(new MemoryStream(Encoding.UTF8.GetBytes($"{longLine}\nshort\n")), 0, longLine.Length + 7);
        var read = new List<string>();
        while (await reader.MoveNextAsync(CancellationToken.None))
        {
            read.Add(Encoding.UTF8.GetString(reader.Line));
        }

        Assert.Equal([longLine, "short"], read);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1000)]
    public async Task ShardLineReader_LineLongerThanTheLimit_ReportedWithoutContentAndTheNextLinesRead(int longLength)
    {
        var longLine = new string('z', longLength);
        var text = $"short\n{longLine}\r\nlast";
        var reader = new ShardLineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), 0, text.Length, maxLineBytes: 7);
        var read = new List<(string, bool)>();
        while (await reader.MoveNextAsync(CancellationToken.None))
        {
            read.Add((Encoding.UTF8.GetString(reader.Line), reader.LineTooLong));
        }

        Assert.Equal([("short", false), ("", true), ("last", false)], read);
    }

    [Fact]
    public async Task ShardLineReader_LastLineTooLongWithoutNewline_Reported()
    {
        var reader = new ShardLineReader(new MemoryStream("ok\nzzzzzzzzzzzz"u8.ToArray()), 0, 15, maxLineBytes: 4);
        var read = new List<bool>();
        while (await reader.MoveNextAsync(CancellationToken.None))
        {
            read.Add(reader.LineTooLong);
        }

        Assert.Equal([false, true], read);
    }
}
