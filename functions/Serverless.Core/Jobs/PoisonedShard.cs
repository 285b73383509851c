namespace Serverless.Core.Jobs;

/// <summary>A shard that failed every attempt, and why (the last attempt's error, as a caller may read it).</summary>
public sealed record PoisonedShard(int Shard, string Reason)
{
    /// <summary>Reasons are cut here, and a record keeps this many of them, so a job record stays small (a Table entity holds 64 KiB).</summary>
    public const int MaxReasonLength = 500;
    public const int MaxKept = 20;
}
