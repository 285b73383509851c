using System.Threading.RateLimiting;
using Serverless.Core.Metering.Errors;

namespace Serverless.Core.Metering;

/// <summary>A token bucket per caller, sized by the caller's plan; calls over it are refused at once, never queued.</summary>
public sealed class CallerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<CallerIdentity> _limiter = PartitionedRateLimiter.Create<CallerIdentity, string>(caller =>
        caller.Plan.RequestsPerSecond <= 0
            ? RateLimitPartition.GetNoLimiter(caller.CallerId)
            : RateLimitPartition.GetTokenBucketLimiter(caller.CallerId, _ => BucketFor(caller.Plan)));

    /// <summary>Takes a token or throws <see cref="RateLimitExceededException"/> with the wait as Retry-After.</summary>
    public void Acquire(CallerIdentity caller)
    {
        if (caller.Plan.RequestsPerSecond <= 0)
        {
            // Unlimited: what the partition's NoLimiter would answer, without its lock and lease on every call.
            return;
        }
        using var lease = _limiter.AttemptAcquire(caller);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            throw new RateLimitExceededException(
                $"caller '{caller.CallerId}' is over its rate limit of {caller.Plan.RequestsPerSecond} calls per second (burst {BucketFor(caller.Plan).TokenLimit}); retry in {seconds} s")
            { RetryAfterSeconds = seconds };
        }
    }

    /// <summary>
    /// Whole tokens per period: at 1 call/s or more the bucket refills every second; below it, one token every
    /// 1/rate seconds, so fractional plans (0.5 calls/s) are exact.
    /// </summary>
    internal static TokenBucketRateLimiterOptions BucketFor(CallerPlan plan)
    {
        var rate = plan.RequestsPerSecond;
        var (tokens, period) = rate >= 1 ? ((int)Math.Round(rate), TimeSpan.FromSeconds(1)) : (1, TimeSpan.FromSeconds(1 / rate));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = plan.Burst > 0 ? plan.Burst : Math.Max(1, tokens),
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    public void Dispose() => _limiter.Dispose();
}
