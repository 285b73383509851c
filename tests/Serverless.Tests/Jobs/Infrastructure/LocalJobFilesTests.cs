using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;

namespace Serverless.Tests.Jobs.Infrastructure;

public sealed class LocalJobFilesTests
{
    private readonly LocalJobFiles _files = new(Path.Combine(Path.GetTempPath(), "serverless-jobs-root"));

    [Theory]
    [InlineData("in/data.jsonl")]
    [InlineData("./in/data.jsonl")]
    public void Resolve_RelativePath_ResolvesUnderRoot(string location) =>
        Assert.Equal(Path.Combine(_files.Root, "in", "data.jsonl"), _files.Resolve(location, "input").Value);

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("in/../../etc/passwd")]
    [InlineData("in\\..\\..\\x")]
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://example.com/x.jsonl")]
    public void Resolve_OutsideRoot_Throws(string location) =>
        Assert.Throws<InvalidJobException>(() => _files.Resolve(location, "input"));

    [Fact]
    public async Task CreateWriter_NotCommitted_LeavesNoFile()
    {
        var folder = _files.Resolve($"out-{Guid.NewGuid():N}", "output");
        await using (var writer = _files.CreateWriter(folder, "part-00000.jsonl"))
        {
            await writer.WriteAsync("{}\n"u8.ToArray());
        }

        Assert.False(File.Exists(Path.Combine(folder.Value, "part-00000.jsonl")));
        Assert.Empty(Directory.GetFiles(folder.Value));
    }
}
