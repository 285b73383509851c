namespace Serverless.Core.Metering;

/// <summary>
/// When a metered call's 2xx may leave, relative to its usage record (Metering:Durability). What each mode promises
/// and what a crash can lose: the durability contract, docs/metering.md.
/// </summary>
public enum MeteringDurability
{
    /// <summary>Once the record is in the local usage journal (one write(), no fsync), which ships it to the store.</summary>
    Process,

    /// <summary>Once the store has the record: an fsync per group commit (SQLite), or Table storage's round trip.</summary>
    Strict,
}
