using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>
/// What the registry's budgets and its observers (telemetry, prices) need of a loaded model, whatever it runs: an
/// ONNX graph behind a scheduler today (<see cref="LoadedModel"/>); a text generator or an embedding encoder would be
/// another implementation, held by the same registry, budgets, leases and statistics.
/// </summary>
public interface ILoadedModel
{
    ModelKey Key { get; }

    ModelConfig Config { get; }

    /// <summary>Bytes counted against Models:MaxLoadedBytes.</summary>
    long SizeBytes { get; }

    /// <summary>Whether <see cref="SizeBytes"/> also count against Models:MaxGpuLoadedBytes.</summary>
    bool OnGpu { get; }

    /// <summary>Fetch, open and warm-up.</summary>
    TimeSpan LoadTime { get; }
}
