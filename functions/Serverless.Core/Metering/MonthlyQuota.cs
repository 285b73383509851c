using System.Collections.Concurrent;
using Serverless.Core.Metering.Errors;

namespace Serverless.Core.Metering;

/// <summary>
/// Each caller's use of its monthly quota (UTC calendar month), counted in memory after being seeded once from
/// the ledger. A call reserves its share before running and gives it back unless it is billed, so parallel calls
/// cannot overshoot the quota together. A text call under a tokens plan reserves what it may use (prompt tokens plus
/// the most it may generate) and settles to what it used once billed.
/// </summary>
/// <remarks>
/// NOTE: counts are per instance. With several instances each seeds from the ledger and then counts only its own
/// calls, so a caller spread over N instances can exceed the quota by up to the calls made since the last seed.
/// </remarks>
public sealed class MonthlyQuota(IUsageStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Caller, DateTimeOffset Month, QuotaMeasure Measure), Lazy<Task<Counter>>> _counters = new();

    internal sealed class Counter(long used)
    {
        public long Used = used;
    }

    /// <summary>
    /// Reserves <paramref name="amount"/> (1 call, the call's rows or its tokens, after the plan's
    /// <see cref="CallerPlan.Measure"/>) or throws <see cref="QuotaExceededException"/>. An amount of 0 (a tensor call
    /// under a tokens plan) reserves nothing but is still refused once the quota is used up.
    /// </summary>
    /// <returns>The reservation to release when the call is not billed; null when the plan has no quota.</returns>
    public async Task<Reservation?> ReserveAsync(CallerIdentity caller, long amount, CancellationToken cancellationToken = default)
    {
        var plan = caller.Plan;
        if (plan.MonthlyQuota <= 0)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var counter = await _counters.GetOrAdd((caller.CallerId, month, plan.Measure), key => new Lazy<Task<Counter>>(async () =>
            new Counter(await store.CountBilledAsync(key.Caller, key.Month, key.Month.AddMonths(1), key.Measure, CancellationToken.None))))
            .Value.WaitAsync(cancellationToken);
        var used = Interlocked.Add(ref counter.Used, amount);
        if (used > plan.MonthlyQuota || (amount == 0 && used >= plan.MonthlyQuota))
        {
            Interlocked.Add(ref counter.Used, -amount);
            var retryAfter = (int)Math.Ceiling((month.AddMonths(1) - now).TotalSeconds);
            throw new QuotaExceededException(
                $"caller '{caller.CallerId}' has used {used - amount} of its monthly quota of {plan.MonthlyQuota} {plan.QuotaUnit.ToLowerInvariant()}; this call needs {amount}; the quota renews on {month.AddMonths(1):yyyy-MM-dd} (UTC)")
            { RetryAfterSeconds = Math.Max(1, retryAfter) };
        }
        return new Reservation(counter, amount);
    }

    /// <summary>A share of the quota held by a running call.</summary>
    public sealed class Reservation
    {
        private readonly Counter _counter;
        private long _amount;

        internal Reservation(Counter counter, long amount)
        {
            _counter = counter;
            _amount = amount;
        }

        /// <summary>The call was not billed: its share goes back.</summary>
        public void Release() => Interlocked.Add(ref _counter.Used, -Interlocked.Exchange(ref _amount, 0));

        /// <summary>
        /// The call was billed for <paramref name="used"/> (less than reserved when a generation stopped early, possibly
        /// more): the quota counts that from now on. Never refused: the work is done and billed.
        /// </summary>
        public void Settle(long used) => Interlocked.Add(ref _counter.Used, used - Interlocked.Exchange(ref _amount, 0));
    }
}
