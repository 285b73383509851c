using System.Diagnostics;
using Serverless.Core.Metering;

namespace Serverless.Benchmarks.Metering;

/// <summary>
/// Wraps the real store to count its group commits. The app's own /metrics cannot tell the servers of one run
/// apart: their meters share a name, so each server's exporter sums every server's commits.
/// </summary>
public sealed class CountingUsageStore(IUsageStore inner) : IUsageStore
{
    private long _commits;
    private long _records;
    private long _ticks;

    public async Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await inner.AppendAsync(records, cancellationToken);
        Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - started);
        Interlocked.Add(ref _records, records.Count);
        Interlocked.Increment(ref _commits);
    }

    public int MaxConcurrentAppends => inner.MaxConcurrentAppends;

    public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) => inner.ReadAsync(query, cancellationToken);

    public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) =>
        inner.CountBilledAsync(callerId, from, to, measure, cancellationToken);

    public string Summary()
    {
        var commits = Interlocked.Read(ref _commits);
        return commits == 0 ? "no group commits" : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{commits} group commits, {(double)Interlocked.Read(ref _records) / commits:F1} records and {Interlocked.Read(ref _ticks) * 1000.0 / Stopwatch.Frequency / commits:F2} ms each on average");
    }
}
