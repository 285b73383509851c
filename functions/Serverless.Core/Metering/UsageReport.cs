namespace Serverless.Core.Metering;

/// <summary>Totals for a query, and the same totals per group (day or model) when asked.</summary>
public sealed record UsageReport(UsageQuery Query, UsageTotals Totals, IReadOnlyList<(string Key, UsageTotals Totals)> Groups)
{
    /// <summary>
    /// Sums records as the store streams them. Stores return records, not sums, because Table storage cannot
    /// aggregate; one code path keeps both stores' reports identical.
    /// </summary>
    public static async Task<UsageReport> BuildAsync(IUsageStore store, UsageQuery query, UsageGrouping grouping, CancellationToken cancellationToken = default)
    {
        var totals = new UsageTotals();
        var groups = new SortedDictionary<string, UsageTotals>(StringComparer.Ordinal);
        await foreach (var record in store.ReadAsync(query, cancellationToken))
        {
            totals.Add(record);
            if (grouping != UsageGrouping.None)
            {
                var key = grouping == UsageGrouping.Day ? record.Time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : record.Model;
                if (!groups.TryGetValue(key, out var group))
                {
                    groups[key] = group = new UsageTotals();
                }
                group.Add(record);
            }
        }
        return new UsageReport(query, totals, groups.Select(g => (g.Key, g.Value)).ToList());
    }
}
