using Serverless.Core.Jobs;

namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>
/// Job files on local disk (embedded mode), confined to one root folder: a job path is relative to the root or an
/// absolute path inside it; URLs, <c>..</c> segments and anything that resolves outside the root are refused.
/// </summary>
public sealed class LocalJobFiles(string root) : IJobFiles
{
    public string Root { get; } = Path.GetFullPath(root);

    public JobLocation Resolve(string location, string field)
    {
        if (location.Contains("://", StringComparison.Ordinal) || location.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidJobException($"'{field}' '{location}' is a URL; this server has no storage account configured, so jobs read and write local paths under Jobs:LocalRoot ({Root})");
        }
        if (location.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw new InvalidJobException($"'{field}' '{location}' contains '..': job paths must stay inside Jobs:LocalRoot ({Root})");
        }
        var full = Path.GetFullPath(Path.Combine(Root, location));
        var rootWithSeparator = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
        if (full != Root && !full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new InvalidJobException($"'{field}' '{location}' is outside Jobs:LocalRoot ({Root})");
        }
        return new JobLocation(full);
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

    public IPartWriter CreateWriter(JobLocation folder, string name) => new LocalPartWriter(Path.Combine(folder.Value, name));

    public Task<Stream?> OpenOutputAsync(JobLocation folder, string name, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(folder.Value, name);
        return Task.FromResult<Stream?>(File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous) : null);
    }

    private static string Version(FileInfo file) => $"{file.Length}-{file.LastWriteTimeUtc.Ticks}";
}
