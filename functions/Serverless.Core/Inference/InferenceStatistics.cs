using System.Collections.Concurrent;
using Serverless.Core.Repository;

namespace Serverless.Core.Inference;

/// <summary>Statistics per model version; they outlive evictions so counts stay cumulative.</summary>
/// <param name="time">The clock of each version's last_inference: <see cref="TimeProvider.System"/> in the app.</param>
public sealed class InferenceStatistics(TimeProvider time)
{
    private readonly ConcurrentDictionary<ModelKey, ModelStatistics> _models = new();

    public ModelStatistics For(ModelKey key) => _models.GetOrAdd(key, static (_, clock) => new ModelStatistics(clock), time);

    public IReadOnlyList<(ModelKey Key, ModelStatisticsSnapshot Stats)> Snapshot(string? model = null) =>
        _models.Where(kv => model is null || kv.Key.Name == model)
            .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal).ThenBy(kv => kv.Key.Version)
            .Select(kv => (kv.Key, kv.Value.Snapshot())).ToList();
}
