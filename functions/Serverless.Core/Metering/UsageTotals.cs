namespace Serverless.Core.Metering;

/// <summary>
/// Sums over a set of records. <see cref="Calls"/>, rows, tokens, compute and cost count billed calls only;
/// failed and rejected calls are counted apart.
/// </summary>
public sealed class UsageTotals
{
    public long Calls { get; private set; }

    public long Rows { get; private set; }

    /// <summary>Tokens billed text calls fed to their models.</summary>
    public long InputTokens { get; private set; }

    /// <summary>Tokens billed text calls generated.</summary>
    public long OutputTokens { get; private set; }

    public double ComputeSeconds { get; private set; }

    public decimal Cost { get; private set; }

    public long Failed { get; private set; }

    public long Rejected { get; private set; }

    public void Add(UsageRecord record)
    {
        switch (record.Outcome)
        {
            case UsageOutcome.Success:
                Calls++;
                Rows += record.Rows;
                InputTokens += record.InputTokens;
                OutputTokens += record.OutputTokens;
                ComputeSeconds += record.ComputeSeconds;
                Cost += record.Cost;
                break;
            case UsageOutcome.Failure:
                Failed++;
                break;
            default:
                Rejected++;
                break;
        }
    }
}
