using System.Collections.Concurrent;
using Serverless.Core.Repository;

namespace Serverless.Core.Inference;

/// <summary>Statistics per model version; they outlive evictions so counts stay cumulative.</summary>
public sealed class InferenceStatistics
{
    private readonly ConcurrentDictionary<ModelKey, ModelStatistics> _models = new();

    public ModelStatistics For(ModelKey key) => _models.GetOrAdd(key, _ => new ModelStatistics());

    public IReadOnlyList<(ModelKey Key, ModelStatisticsSnapshot Stats)> Snapshot(string? model = null) =>
        _models.Where(kv => model is null || kv.Key.Name == model)
            .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal).ThenBy(kv => kv.Key.Version)
            .Select(kv => (kv.Key, kv.Value.Snapshot())).ToList();
}
