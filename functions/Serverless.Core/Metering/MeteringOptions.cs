using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Serverless.Core.Metering;

/// <summary>Configuration section <c>Metering</c>: who may call, how calls are recorded, priced and limited.</summary>
public sealed partial class MeteringOptions : IValidatableObject
{
    public const string Section = "Metering";

    /// <summary>Off turns the whole feature off (no keys, no ledger, no limits); the benchmark compares both.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether calls need an API key. Unset: off when standalone (calls are attributed to "anonymous"), on under the Functions host.</summary>
    public bool? RequireKey { get; set; }

    /// <summary>Key for the admin endpoints and for reading everyone's usage; admin endpoints are closed while it is empty.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Header API Management sets to the caller id; trusted only together with <see cref="ApimSecretHeader"/>.</summary>
    [Required]
    public string ApimCallerHeader { get; set; } = "X-Serverless-Caller";

    [Required]
    public string ApimSecretHeader { get; set; } = "X-Serverless-Apim-Secret";

    /// <summary>Shared secret APIM sends in <see cref="ApimSecretHeader"/>; while empty the caller header is always ignored.</summary>
    public string? ApimSecret { get; set; }

    /// <summary><c>auto</c> (Table storage when AzureWebJobsStorage is configured, else SQLite), <c>table</c> or <c>sqlite</c>.</summary>
    public MeteringStoreKind Store { get; set; } = MeteringStoreKind.Auto;

    /// <summary>Prefix of the Table storage table names (&lt;prefix&gt;usage, &lt;prefix&gt;callers, &lt;prefix&gt;keys).</summary>
    public string TablePrefix { get; set; } = "serverless";

    /// <summary>
    /// Longest the first record of a group commit waits for others before the group is committed (a full group
    /// commits at once). 0: commit whatever is there; records arriving during a commit form the next group.
    /// </summary>
    /// <remarks>
    /// 0 by measurement (metering benchmark, SQLite, writer on its own thread): with 32 clients 0 cost 34% of
    /// throughput against 63% for 2, with 256 clients 20% against 24%. Waiting makes fewer, larger commits, but every
    /// call waits too, and a closed loop of clients loses that much throughput; the commit itself (fsync included)
    /// already gathers the records that arrive meanwhile. Raise it for a store with a costly round trip per commit.
    /// </remarks>
    [Range(0, 1000)]
    public int FlushIntervalMilliseconds { get; set; }

    /// <summary>
    /// process (default): a 2xx once its record is in the local usage journal, shipped to the store within
    /// <see cref="MaxCommitLagMilliseconds"/>; strict: once the store has it. See <see cref="MeteringDurability"/>.
    /// </summary>
    /// <remarks>
    /// Measured from outside (tests/Serverless.Benchmarks, --only outside, shared 2-core VM): with strict, iris-mlp at
    /// 1 client answered in 4.1 ms p50 against 0.31 ms without metering, and batches of the heavy MLP stayed at 11 rows
    /// a Run, because every answer waited for an fsync that cost milliseconds on a busy disk.
    /// </remarks>
    public MeteringDurability Durability { get; set; } = MeteringDurability.Process;

    /// <summary>
    /// With Durability process: longest a record may stay in the local journal before it is shipped to the store while
    /// the store answers; what a host crash can lose.
    /// </summary>
    public int MaxCommitLagMilliseconds { get; set; } = 1000;

    /// <summary>
    /// With Durability process: most bytes the local usage journal may hold unshipped. While the store does not take
    /// records the journal keeps them on disk; once full, metered calls are answered 503 with
    /// Retry-After rather than served unrecorded. 256 MiB is some 800,000 records, minutes of a busy instance.
    /// </summary>
    public long MaxJournalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most records committed in one transaction.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>Calls running at once per model; 0 means no limit.</summary>
    /// <remarks>
    /// A call holds its slot while it waits in the model's dynamic batching queue, so this also caps how many calls
    /// one batch can merge: keep it at or above the largest max_batch_size (at 16, batches of a model with preferred
    /// size 32 could never fill and each waited out its max_queue_delay_us).
    /// </remarks>
    [Range(0, 100_000)]
    public int ModelConcurrency { get; set; } = 64;

    /// <summary>Calls waiting for a model's slot; past it the call is shed with 503 and Retry-After.</summary>
    [Range(0, 1_000_000)]
    public int ModelQueueLength { get; set; } = 1000;

    /// <summary>The plan of callers created without one, of "anonymous" and of APIM callers not registered here.</summary>
    public CallerPlan DefaultPlan { get; set; } = new();

    /// <summary>Prices of models whose config.json has no <c>pricing</c>.</summary>
    public ModelPricing DefaultPricing { get; set; } = new();

    /// <remarks>
    /// The rules with their own wording are checked here: the source-generated validator's range check drops a
    /// [Range]'s ErrorMessage, and [RegularExpression] parses its pattern on the first validation (part of every cold
    /// start) where a generated regex does not.
    /// </remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TablePrefix is null || !TablePrefixPattern().IsMatch(TablePrefix))
        {
            yield return new ValidationResult("Metering:TablePrefix must be letters and digits, starting with a letter.", [nameof(TablePrefix)]);
        }
        if (MaxCommitLagMilliseconds is < 10 or > 60_000)
        {
            yield return new ValidationResult("Metering:MaxCommitLagMilliseconds must be between 10 and 60000.", [nameof(MaxCommitLagMilliseconds)]);
        }
        if (MaxJournalBytes is < 1L << 20 or > 1L << 40)
        {
            yield return new ValidationResult("Metering:MaxJournalBytes must be between 1 MiB (1048576) and 1 TiB.", [nameof(MaxJournalBytes)]);
        }
        foreach (var result in DefaultPlan.Validate("Metering:DefaultPlan").Concat(DefaultPricing.Validate("Metering:DefaultPricing")))
        {
            yield return result;
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,40}$")]
    private static partial Regex TablePrefixPattern();
}

/// <summary><see cref="MeteringOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class MeteringOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<MeteringOptions>;
