using Serverless.Core.Infrastructure.Jobs;
using Serverless.Core.Jobs;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs.Infrastructure;

public sealed class LocalJobFilesTests
{
    private readonly LocalJobFiles _files = new(Path.Combine(Path.GetTempPath(), "serverless-jobs-root"));

    [Theory]
    [InlineData("in/data.jsonl")]
    [InlineData("./in/data.jsonl")]
    public void Resolve_RelativePath_ResolvesUnderRoot(string location) =>
        Assert.Equal(Path.Combine(_files.Root, "in", "data.jsonl"), _files.Resolve(location, "input", owner: null).Value);

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("in/../../etc/passwd")]
    [InlineData("in\\..\\..\\x")]
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://example.com/x.jsonl")]
    public void Resolve_OutsideRoot_Throws(string location) =>
        Assert.Throws<InvalidJobException>(() => _files.Resolve(location, "input", owner: null));

    [Fact]
    public void Resolve_KeyedCallersRelativePath_ResolvesInTheirOwnFolder() =>
        Assert.Equal(Path.Combine(_files.Root, "callers", "alice", "in", "data.jsonl"), _files.Resolve("in/data.jsonl", "input", owner: "alice").Value);

    [Theory]
    [InlineData("bob", "/callers/alice/data.jsonl")]
    [InlineData("anonymous", "callers/alice/data.jsonl")]
    [InlineData("anonymous", "callers")]
    public void Resolve_PathInAnotherCallersFolder_Throws(string owner, string location)
    {
        var absolute = location.StartsWith('/') ? _files.Root + location : location;

        Assert.Throws<InvalidJobException>(() => _files.Resolve(absolute, "input", owner));
    }

    [Theory]
    [InlineData("linked-file.jsonl", "input")]
    [InlineData("linked-folder/data.jsonl", "input")]
    [InlineData("linked-folder/out", "output")]
    [InlineData("linked-folder", "output")]
    [InlineData("inside/linked-folder/deeper", "output")]
    public void Resolve_SymlinkInsideRootPointingOutside_Throws(string location, string field)
    {
        using var space = new LinkedSpace();

        var error = Assert.Throws<InvalidJobException>(() => space.Files.Resolve(location, field, owner: null));

        Assert.Contains("outside", error.Message);
    }

    [Fact]
    public void Resolve_SymlinkInsideRootPointingInside_ResolvesToItsTarget()
    {
        using var space = new LinkedSpace();

        var location = space.Files.Resolve("alias/data.jsonl", "input", owner: null);

        Assert.Equal(Path.Combine(space.Files.Root, "real", "data.jsonl"), location.Value);
    }

    /// <summary>A root with links inside it: to a file and a folder outside, and to a folder inside.</summary>
    private sealed class LinkedSpace : IDisposable
    {
        private readonly string _base = Path.Combine(Path.GetTempPath(), "serverless-links-" + Guid.NewGuid().ToString("N"));

        public LinkedSpace()
        {
            var root = Path.Combine(_base, "root");
            var outside = Path.Combine(_base, "outside");
            Directory.CreateDirectory(Path.Combine(root, "real"));
            Directory.CreateDirectory(Path.Combine(root, "inside"));
            Directory.CreateDirectory(outside);
            File.WriteAllText(Path.Combine(outside, "data.jsonl"), "{}\n");
            File.WriteAllText(Path.Combine(root, "real", "data.jsonl"), "{}\n");
            File.CreateSymbolicLink(Path.Combine(root, "linked-file.jsonl"), Path.Combine(outside, "data.jsonl"));
            Directory.CreateSymbolicLink(Path.Combine(root, "linked-folder"), outside);
            Directory.CreateSymbolicLink(Path.Combine(root, "inside", "linked-folder"), "../../outside");
            Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine(root, "real"));
            Files = new LocalJobFiles(root);
        }

        public LocalJobFiles Files { get; }

        public void Dispose() => Directory.Delete(_base, recursive: true);
    }

    [Fact]
    public async Task DeleteTemporaryFiles_OfOnePart_RemovesOnlyThatPartsLeftovers()
    {
        var folder = _files.Resolve($"out-{Guid.NewGuid():N}", "output", owner: null);
        Directory.CreateDirectory(Path.Combine(folder.Value, "_errors"));
        string[] stale = [$".part-00000.jsonl.{Guid.NewGuid():N}.tmp", $"_errors/.part-00000.jsonl.{Guid.NewGuid():N}.tmp"];
        string[] kept = [$".part-00001.jsonl.{Guid.NewGuid():N}.tmp", ".part-00000.jsonl.tmp", "part-00000.jsonl"];
        foreach (var name in stale.Concat(kept))
        {
            await File.WriteAllTextAsync(Path.Combine(folder.Value, name), "");
        }

        await _files.DeleteTemporaryFilesAsync(folder, "part-00000.jsonl");
        await _files.DeleteTemporaryFilesAsync(folder, "_errors/part-00000.jsonl");

        Assert.Equal(kept.Order(), Directory.GetFiles(folder.Value, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder.Value, f)).Order());
    }

    [Fact]
    public async Task CreateWriter_NotCommitted_LeavesNoFile()
    {
        var folder = _files.Resolve($"out-{Guid.NewGuid():N}", "output", owner: null);
        await using (var writer = _files.CreateWriter(folder, "part-00000.jsonl"))
        {
            await writer.WriteAsync("{}\n"u8.ToArray());
        }

        Assert.False(File.Exists(Path.Combine(folder.Value, "part-00000.jsonl")));
        Assert.Empty(Directory.GetFiles(folder.Value));
    }

    [UnixFact]
    public void Resolve_InputIsANamedPipe_RefusedBeforeAnythingOpensIt()
    {
        var name = $"pipe-{Guid.NewGuid():N}.jsonl";
        Directory.CreateDirectory(_files.Root);
        NamedPipe.Create(Path.Combine(_files.Root, name));
        try
        {
            var error = Assert.Throws<InvalidJobException>(() => _files.Resolve(name, "input", owner: null));

            Assert.Equal($"'input' '{name}' is a named pipe (FIFO): a job reads a regular file", error.Message);
        }
        finally
        {
            File.Delete(Path.Combine(_files.Root, name));
        }
    }

    [UnixFact]
    public void Resolve_InputIsADevice_Refused()
    {
        var files = new LocalJobFiles("/dev");

        var error = Assert.Throws<InvalidJobException>(() => files.Resolve("zero", "input", owner: null));

        Assert.Contains("is a character device", error.Message);
    }

    [Fact]
    public void Resolve_InputIsAFolder_RefusedNamingIt()
    {
        var name = $"folder-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(_files.Root, name));

        var error = Assert.Throws<InvalidJobException>(() => _files.Resolve(name, "input", owner: null));

        Assert.Equal($"'input' '{name}' is a folder: a job reads a regular file", error.Message);
    }
}
