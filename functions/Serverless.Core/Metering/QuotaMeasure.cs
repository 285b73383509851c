namespace Serverless.Core.Metering;

/// <summary>What a monthly quota counts of a caller's billed usage (<see cref="CallerPlan.QuotaUnit"/>).</summary>
public enum QuotaMeasure
{
    /// <summary>Billed calls (a text call is one call, whatever its inputs).</summary>
    Calls,

    /// <summary>Billed rows: a tensor call's batch size, a text call's inputs.</summary>
    Rows,

    /// <summary>
    /// Billed input plus output tokens. Only text calls have tokens: a tensor call counts 0, and is refused only once
    /// the month's tokens are used up.
    /// </summary>
    Tokens,
}
