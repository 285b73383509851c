using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Serverless.Core.Jobs;

/// <summary>
/// Configuration section <c>Jobs</c>: batch scoring. The queue settings default to host.json's <c>extensions.queues</c>
/// (the app's hosting seeds them from the file), so a standalone run with Azurite behaves like the Functions host in
/// Azure; the values here stand where there is no host.json.
/// </summary>
public sealed partial class JobsOptions : IValidatableObject
{
    public const string Section = "Jobs";

    /// <summary>The jobs queue: job submissions and their shards. Its poison queue is <c>&lt;Queue&gt;-poison</c>.</summary>
    public string Queue { get; set; } = "scoring-jobs";

    /// <summary>Azure Table holding job state when storage is configured.</summary>
    public string Table { get; set; } = "scoringjobs";

    /// <summary>Input bytes per shard: each shard is one queue message, scored by any instance.</summary>
    [Range(4096, 4L * 1024 * 1024 * 1024)]
    public long ShardBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Rows per model run when the job does not say (capped by the model's max_batch_size).</summary>
    [Range(1, 65_536)]
    public int RowBatchSize { get; set; } = 256;

    /// <summary>Share of rows that may fail (0..1) when the job does not give max_error_rate.</summary>
    [Range(0.0, 1.0)]
    public double MaxErrorRate { get; set; } = 0.01;

    /// <summary>
    /// Standalone with storage: whether this instance takes messages off the jobs queue itself. false makes an
    /// API-only instance that submits jobs for other instances to score. Under the Functions host its queue extension
    /// delivers messages and this has no effect; the embedded in-process queue always listens.
    /// </summary>
    public bool Listen { get; set; } = true;

    /// <summary>Messages one instance works on at once (default: host.json batchSize).</summary>
    [Range(1, 32)]
    public int BatchSize { get; set; } = 4;

    /// <summary>Attempts before a message moves to the poison queue (default: host.json maxDequeueCount).</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Delay before a failed message is tried again (default: host.json visibilityTimeout). A message being worked on stays leased: its lease is renewed while the shard runs.</summary>
    [Range(1, 3600)]
    public int VisibilityTimeoutSeconds { get; set; } = 30;

    /// <summary>Longest wait between polls of an empty queue (default: host.json maxPollingInterval).</summary>
    [Range(0.1, 60)]
    public double MaxPollingIntervalSeconds { get; set; } = 2;

    /// <summary>Blob containers jobs may read and write: container URLs, or names of containers in the AzureWebJobsStorage account.</summary>
    public string[] AllowedContainers { get; set; } = [];

    /// <summary>Folder local job paths must stay inside (embedded mode); relative job paths resolve against it. Empty: &lt;Storage:DataDirectory&gt;/jobs.</summary>
    public string LocalRoot { get; set; } = "";

    /// <summary>Most shards one job may have; raise ShardBytes for larger inputs.</summary>
    [Range(1, 20_000)]
    public int MaxShards { get; set; } = 10_000;

    /// <summary>
    /// Jobs one caller may have in the job store at once (any state): a submission past it is 429 until finished jobs
    /// expire (<see cref="RetentionDays"/>). Messages put on the jobs queue directly are the operator's and not counted.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxJobsPerCaller { get; set; } = 1000;

    /// <summary>Days a finished job's record is kept after it completed; a background sweep deletes older ones (never their output files).</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>Minutes between two sweeps of expired job records (one also runs at start).</summary>
    [Range(1, 1440)]
    public int RetentionSweepMinutes { get; set; } = 60;

    /// <summary>Seconds between a running shard's looks at its job's state: a cancelled job's shard stops at its next batch after it sees it.</summary>
    [Range(1, 300)]
    public int CancellationCheckSeconds { get; set; } = 5;

    // The names' patterns are checked here with generated regexes rather than [RegularExpression], which parses its
    // pattern on the first validation: part of every cold start.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Queue is null || !QueueName().IsMatch(Queue))
        {
            yield return new ValidationResult("Jobs:Queue must be a valid storage queue name (3-56 lowercase letters, digits, single dashes).", [nameof(Queue)]);
        }
        if (Table is null || !TableName().IsMatch(Table))
        {
            yield return new ValidationResult("Jobs:Table must be a valid table name (3-63 letters and digits).", [nameof(Table)]);
        }
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$")]
    private static partial Regex QueueName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}

/// <summary><see cref="JobsOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class JobsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<JobsOptions>;
