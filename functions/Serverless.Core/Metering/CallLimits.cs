namespace Serverless.Core.Metering;

/// <summary>The three limits a call passes, in order: the caller's rate, the caller's monthly quota, the model's concurrency.</summary>
public sealed class CallLimits(CallerRateLimiter rate, MonthlyQuota quota, ModelConcurrencyLimiter concurrency)
{
    public CallerRateLimiter Rate { get; } = rate;

    public MonthlyQuota Quota { get; } = quota;

    public ModelConcurrencyLimiter Concurrency { get; } = concurrency;
}
