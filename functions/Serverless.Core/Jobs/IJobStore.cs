namespace Serverless.Core.Jobs;

/// <summary>Job state: Azure Table storage when storage is configured, an embedded SQLite database otherwise.</summary>
public interface IJobStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new job; false when a job with that id already exists.</summary>
    Task<bool> TryCreateAsync(JobRecord job, CancellationToken cancellationToken = default);

    Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Optimistic read-modify-write: <paramref name="change"/> sees the current record and returns the new one, or null to
    /// leave it. On a concurrent write it runs again on the fresh record, so it must be a pure function of its input.
    /// </summary>
    Task<JobUpdate> UpdateAsync(string id, Func<JobRecord, JobRecord?> change, CancellationToken cancellationToken = default);

    /// <summary>The most recently created jobs, newest first: of one caller (<see cref="JobRequest.Owner"/>), or everyone's when null.</summary>
    Task<IReadOnlyList<JobRecord>> ListAsync(int max, string? caller, CancellationToken cancellationToken = default);

    /// <summary>Idempotent: saving the same shard again replaces its result.</summary>
    Task SaveShardAsync(ShardResult result, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ShardResult>> ListShardsAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>How many jobs the caller (<see cref="JobRequest.Owner"/>) has in the store, counted up to <paramref name="atMost"/>.</summary>
    Task<int> CountAsync(string caller, int atMost, CancellationToken cancellationToken = default);

    /// <summary>Deletes finished jobs (and their shard results) completed before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}
