namespace Serverless.Core.Metering;

/// <summary>When a metered call's 2xx may leave, relative to its usage record (Metering:Durability).</summary>
public enum MeteringDurability
{
    /// <summary>
    /// Once the record is safe against a crash of this process: its group's frame is written (no fsync) to the local
    /// usage journal, which ships it to the store (SQLite or Table storage) within Metering:MaxCommitLagMilliseconds.
    /// </summary>
    Process,

    /// <summary>Once the store has the record: SQLite synchronous=FULL (an fsync per group commit), or Table storage's round trip.</summary>
    Strict,
}
