using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Generation;

/// <summary>
/// The bound on concurrent generations per model version (Generation:MaxConcurrentPerModel): a slot is taken before
/// the first token and given back when the generation ends or its caller goes; with none free, 429 at once.
/// </summary>
public sealed class GenerationSlots(IOptions<GenerationSettings> options)
{
    private readonly ConcurrentDictionary<ModelKey, int> _inUse = new();
    private readonly GenerationSettings _settings = options.Value;

    public int InUse(ModelKey key) => _inUse.TryGetValue(key, out var count) ? count : 0;

    /// <summary>Takes <paramref name="count"/> slots (one per choice) together, or none.</summary>
    public IDisposable Take(ModelKey key, int count)
    {
        while (true)
        {
            var known = _inUse.TryGetValue(key, out var current);
            if (current + count > _settings.MaxConcurrentPerModel)
            {
                throw new GenerationsBusyException(
                    $"model {key} is running {current} of its {_settings.MaxConcurrentPerModel} concurrent generations; this call needs {count}. Retry shortly")
                {
                    RetryAfterSeconds = _settings.BusyRetryAfterSeconds,
                };
            }
            if (known ? _inUse.TryUpdate(key, current + count, current) : _inUse.TryAdd(key, count))
            {
                return new Slot(this, key, count);
            }
        }
    }

    private void Give(ModelKey key, int count)
    {
        while (true)
        {
            var current = InUse(key);
            if (_inUse.TryUpdate(key, current - count, current))
            {
                return;
            }
        }
    }

    private sealed class Slot(GenerationSlots slots, ModelKey key, int count) : IDisposable
    {
        private int _given;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _given, 1) == 0)
            {
                slots.Give(key, count);
            }
        }
    }
}
