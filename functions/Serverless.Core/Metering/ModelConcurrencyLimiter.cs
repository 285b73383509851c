using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Serverless.Core.Metering.Errors;

namespace Serverless.Core.Metering;

/// <summary>
/// At most Metering:ModelConcurrency calls per model at once, Metering:ModelQueueLength more waiting in order;
/// past that a call is shed with 503 and Retry-After, so a saturated model costs bounded memory and other
/// models keep answering.
/// </summary>
public sealed class ModelConcurrencyLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly MeteringOptions _options;

    public ModelConcurrencyLimiter(IOptions<MeteringOptions> options)
    {
        _options = options.Value;
        if (_options.ModelConcurrency > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(model => RateLimitPartition.GetConcurrencyLimiter(model, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = _options.ModelConcurrency,
                QueueLimit = _options.ModelQueueLength,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }), StringComparer.Ordinal);
        }
    }

    /// <returns>The slot, to dispose when the call is done; throws <see cref="ModelSaturatedException"/> when shed.</returns>
    public async ValueTask<IDisposable> AcquireAsync(string model, CancellationToken cancellationToken = default)
    {
        if (_limiter is null)
        {
            return NoSlot.Instance;
        }
        var lease = await _limiter.AcquireAsync(model, 1, cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new ModelSaturatedException(
                $"model '{model}' is saturated: {_options.ModelConcurrency} calls running and {_options.ModelQueueLength} waiting (Metering:ModelConcurrency, Metering:ModelQueueLength); retry shortly")
            { RetryAfterSeconds = 1 };
        }
        return lease;
    }

    public void Dispose() => _limiter?.Dispose();

    private sealed class NoSlot : IDisposable
    {
        public static readonly NoSlot Instance = new();

        public void Dispose()
        {
        }
    }
}
