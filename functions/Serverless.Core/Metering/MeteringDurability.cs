namespace Serverless.Core.Metering;

/// <summary>When a metered call's 2xx may leave, relative to its usage record (Metering:Durability).</summary>
public enum MeteringDurability
{
    /// <summary>
    /// Once the record is safe against a crash of this process (SQLite: committed to the WAL with synchronous=NORMAL,
    /// i.e. handed to the operating system); synced to disk behind, within Metering:MaxCommitLagMilliseconds.
    /// </summary>
    Process,

    /// <summary>Once the record is durable against power loss (SQLite synchronous=FULL: an fsync per group commit).</summary>
    Strict,
}
