using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>
/// A loaded model version of any kind (<see cref="ModelKind"/>), as the registry holds it: budgets, leases, observers
/// (telemetry, prices) and statistics see only this. A tensor model is a <see cref="LoadedModel"/>; an embedding model
/// wraps the <see cref="LoadedModel"/> of its encoder graph; a generative model holds its generator.
/// </summary>
public interface ILoadedModel
{
    ModelKey Key { get; }

    ModelKind Kind { get; }

    ModelConfig Config { get; }

    /// <summary>Bytes counted against Models:MaxLoadedBytes.</summary>
    long SizeBytes { get; }

    /// <summary>Whether <see cref="SizeBytes"/> also count against Models:MaxGpuLoadedBytes.</summary>
    bool OnGpu { get; }

    /// <summary>Fetch, open and warm-up.</summary>
    TimeSpan LoadTime { get; }

    /// <summary>The content it was loaded from (<see cref="ModelFile.ContentId"/>), so a load can tell whether the repository's copy changed since.</summary>
    string ContentId { get; }

    /// <summary>
    /// The ONNX graph the tensor API (v2 inference, tensor jobs) runs: the model itself for a tensor model, the encoder
    /// for an embedding model (callers who tokenize themselves send token ids as tensors); null for a generator.
    /// </summary>
    LoadedModel? Graph { get; }

    /// <summary>Its leases: retired by the registry, disposed when the last lease is released.</summary>
    ModelLifetime Lifetime { get; }
}
