namespace Serverless.Core.Metering;

/// <summary>
/// Sums over a set of records. <see cref="Calls"/>, rows, compute and cost count billed calls only;
/// failed and rejected calls are counted apart.
/// </summary>
public sealed class UsageTotals
{
    public long Calls { get; private set; }

    public long Rows { get; private set; }

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
