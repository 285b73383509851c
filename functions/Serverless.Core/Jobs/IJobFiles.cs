namespace Serverless.Core.Jobs;

/// <summary>
/// Job input and output: blobs in the allowed containers, or files under Jobs:LocalRoot. Every location a job names
/// goes through <see cref="Resolve"/> first, which refuses anything else before a byte is read.
/// </summary>
public interface IJobFiles
{
    /// <param name="owner">The caller whose namespace (<see cref="JobNamespace"/>) the location must be in, <see cref="JobRequest.Owner"/>; null for the whole space.</param>
    /// <exception cref="InvalidJobException">The location is malformed or outside the allowed containers / local root / the owner's namespace.</exception>
    JobLocation Resolve(string location, string field, string? owner);

    /// <exception cref="InvalidJobException">The input does not exist.</exception>
    Task<JobInputInfo> GetInfoAsync(JobLocation input, CancellationToken cancellationToken = default);

    /// <summary>Streams the input from <paramref name="position"/> on; fails if the input no longer has <paramref name="etag"/>.</summary>
    Task<Stream> OpenReadAsync(JobLocation input, long position, string? etag, CancellationToken cancellationToken = default);

    /// <summary>A file under the output folder that appears only when committed, whole, replacing any earlier one.</summary>
    IPartWriter CreateWriter(JobLocation folder, string name);

    /// <summary>Reads a file written under the output folder earlier; null when it does not exist.</summary>
    Task<Stream?> OpenOutputAsync(JobLocation folder, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes what writers of <paramref name="name"/> (of every file, when null) left uncommitted under the folder, as
    /// a killed instance does. Staged blob blocks are never visible and the service drops them within a week, so only
    /// local files need it.
    /// </summary>
    Task DeleteTemporaryFilesAsync(JobLocation folder, string? name, CancellationToken cancellationToken = default);

    /// <summary>An error's message as a caller may read it: the service's own paths and storage details taken out.</summary>
    string Redact(string message);

    /// <summary>
    /// Whether reading failed in the storage under a file (unreachable, throttled: worth trying again) rather than
    /// in what its bytes say, which no retry changes.
    /// </summary>
    bool IsStorageFailure(Exception error);
}
