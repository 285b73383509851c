using System.Text.RegularExpressions;
using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// Job files on local disk (embedded mode), confined to one root folder: a job path is relative to the root or an
/// absolute path inside it; URLs, <c>..</c> segments and anything that resolves outside the root are refused. Links
/// are followed before the check (the final target of every path component), so a symbolic link inside the root
/// cannot lead a job's reads or writes outside it. Within the root, <see cref="JobNamespace"/> says what each caller may use.
/// </summary>
public sealed class LocalJobFiles(string root) : IJobFiles
{
    // Linux's own limit on links followed while resolving one path (ELOOP).
    private const int MaxLinks = 40;

    public string Root { get; } = RealPath(Path.GetFullPath(root), 0);

    public JobLocation Resolve(string location, string field, string? owner)
    {
        if (location.Contains("://", StringComparison.Ordinal) || location.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidJobException($"'{field}' '{location}' is a URL; this server has no storage account configured, so jobs read and write local paths under Jobs:LocalRoot");
        }
        if (location.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw new InvalidJobException($"'{field}' '{location}' contains '..': job paths must stay inside Jobs:LocalRoot");
        }
        var folder = Path.Combine(Root, JobNamespace.FolderOf(owner));
        var full = Confine(Path.GetFullPath(Path.Combine(folder, location)), field, location);
        var relative = Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');
        JobNamespace.Check(relative == "." ? "" : relative, field, location, owner);
        if (field == "output" && File.Exists(full))
        {
            throw new InvalidJobException($"'output' '{location}' is a file: a job's output is a folder");
        }
        if (field == "input")
        {
            EnsureRegularFile(full, location);
        }
        return new JobLocation(full, location);
    }

    public Task<JobInputInfo> GetInfoAsync(JobLocation input, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(input.Value);
        if (!file.Exists)
        {
            throw new InvalidJobException($"input '{input}' does not exist");
        }
        return Task.FromResult(new JobInputInfo(file.Length, Version(file)));
    }

    public Task<Stream> OpenReadAsync(JobLocation input, long position, string? etag, CancellationToken cancellationToken = default)
    {
        // Checked again just before the open: the path may have been replaced since it was resolved.
        EnsureRegularFile(input.Value, input.Name);
        var stream = new FileStream(input.Value, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var file = new FileInfo(input.Value);
        if (etag is not null && Version(file) != etag)
        {
            stream.Dispose();
            throw new IOException($"input '{input}' changed after the job was planned");
        }
        stream.Position = position;
        return Task.FromResult<Stream>(stream);
    }

    public IPartWriter CreateWriter(JobLocation folder, string name) => new LocalPartWriter(Within(folder, name));

    public Task<Stream?> OpenOutputAsync(JobLocation folder, string name, CancellationToken cancellationToken = default)
    {
        var path = Within(folder, name);
        return Task.FromResult<Stream?>(File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous) : null);
    }

    public Task DeleteTemporaryFilesAsync(JobLocation folder, string? name, CancellationToken cancellationToken = default)
    {
        var folders = name is null
            ? [folder.Value, Path.Combine(folder.Value, "_errors")]
            : new[] { Path.GetDirectoryName(Within(folder, name))! };
        var target = name is null ? null : Path.GetFileName(name);
        foreach (var directory in folders.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                if (LocalPartWriter.IsTemporaryOf(Path.GetFileName(file), target))
                {
                    File.Delete(file);
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A local file's bytes are what they are: a read that fails on them fails again.</summary>
    public bool IsStorageFailure(Exception error) => false;

    /// <summary>Paths under the root become what the caller knows: relative to the root, or to the caller's own folder.</summary>
    public string Redact(string message) =>
        message.Contains(Root, StringComparison.Ordinal)
            ? Regex.Replace(message, Regex.Escape(Root) + $"(/{JobNamespace.CallersFolder}/[^/']+)?(/|(?=['\\s]|$))", "")
            : message;

    /// <summary>
    /// A job reads regular files only: opening a named pipe blocks until some writer opens it (the shard would stay
    /// running for ever, and no cancellation can interrupt the open), and a device or socket has no end.
    /// </summary>
    private static void EnsureRegularFile(string path, string location)
    {
        if (LocalFileKind.NotRegular(path) is { } kind)
        {
            throw new InvalidJobException($"'input' '{location}' is {kind}: a job reads a regular file");
        }
    }

    /// <summary>A file the job writes under its output folder, checked again: a link placed there must not lead outside either.</summary>
    private string Within(JobLocation folder, string name) =>
        Confine(Path.GetFullPath(Path.Combine(folder.Value, name)), "output", $"{folder.Name.TrimEnd('/')}/{name}");

    /// <returns>The path with every link resolved, when that is inside the root.</returns>
    private string Confine(string full, string field, string location)
    {
        string real;
        try
        {
            real = RealPath(full, 0);
        }
        catch (IOException)
        {
            throw new InvalidJobException($"'{field}' '{location}' cannot be resolved: too many levels of links");
        }
        var rootWithSeparator = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
        if (real != Root && !real.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new InvalidJobException($"'{field}' '{location}' is outside Jobs:LocalRoot{(real == full ? "" : " once its links are followed")}");
        }
        return real;
    }

    /// <summary>
    /// The path with each existing component replaced by its link's final target, component by component from the
    /// top, since a link's target may itself pass through links. Components that do not exist yet are kept as given.
    /// </summary>
    private static string RealPath(string full, int depth)
    {
        var top = Path.GetPathRoot(full) ?? "/";
        var current = top;
        foreach (var part in full[top.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (depth >= MaxLinks)
                {
                    throw new IOException($"more than {MaxLinks} links in {full}");
                }
                next = RealPath(Path.GetFullPath(target, current), depth + 1);
            }
            current = next;
        }
        return current;
    }

    private static string Version(FileInfo file) => $"{file.Length}-{file.LastWriteTimeUtc.Ticks}";
}
