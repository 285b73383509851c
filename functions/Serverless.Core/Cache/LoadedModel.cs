using System.Diagnostics;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>
/// A loaded model version and the one way to run it: <see cref="RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, CancellationToken)"/>
/// validates the request, hands it to the model's scheduler (the dynamic batcher, or a pass-through) and keeps the
/// statistics; HTTP inference, batch-job shards and the warm-up all come through it.
/// It counts the leases held on it, so eviction or unload only retires it: the session is disposed when the last
/// request using it lets go, never under a running inference.
/// </summary>
/// <remarks>
/// What the registry's budgets and observers need is <see cref="ILoadedModel"/>; the session, the scheduler and the
/// validation are this tensor model's own.
/// </remarks>
public sealed class LoadedModel : ILoadedModel
{
    private readonly ModelStatistics _statistics;
    // Every output, in the model's order: what a request that names none gets.
    private readonly string[] _allOutputNames;

    public LoadedModel(ModelKey key, IModelSession session, ModelConfig config, IModelScheduler scheduler, ModelStatistics statistics, long sizeBytes)
    {
        Key = key;
        Session = session;
        Scheduler = scheduler;
        Config = config;
        SizeBytes = sizeBytes;
        _statistics = statistics;
        _allOutputNames = session.Outputs.Select(o => o.Name).ToArray();
        HasBatchDimension = BatchDimension.LeadsEveryTensor(session);
        Lifetime = new ModelLifetime(() =>
        {
            Scheduler.Dispose();
            Session.Dispose();
        });
    }

    public ModelKey Key { get; }

    public ModelKind Kind => ModelKind.Tensor;

    LoadedModel ILoadedModel.Graph => this;

    public ModelLifetime Lifetime { get; }

    /// <summary>What the graph declares (inputs, outputs, provider). Running it is the scheduler's alone: call <see cref="RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, CancellationToken)"/>.</summary>
    public IModelSession Session { get; }

    /// <summary>How requests reach the session: a <see cref="DynamicBatcher"/> when config.json turns batching on and the graph can batch.</summary>
    public IModelScheduler Scheduler { get; }

    public ModelConfig Config { get; }

    /// <summary>Every input and output leads with a dynamic batch dimension (<see cref="BatchDimension"/>).</summary>
    public bool HasBatchDimension { get; }

    /// <summary>Bytes counted against Models:MaxLoadedBytes: the version's files, model and external data (ONNX Runtime keeps the weights resident).</summary>
    public long SizeBytes { get; }

    /// <summary>Whether <see cref="SizeBytes"/> also count against Models:MaxGpuLoadedBytes.</summary>
    public bool OnGpu => Session.ExecutionProvider.OnGpu();

    /// <summary>Fetch, open and warm-up, set by the loader once the model is ready.</summary>
    public TimeSpan LoadTime { get; internal set; }

    /// <summary>The content it was loaded from (<see cref="ModelFile.ContentId"/>), so a load can tell whether the repository's copy changed since.</summary>
    public string ContentId { get; init; } = "";

    public bool IsDisposed => Lifetime.IsDisposed;

    /// <summary>Runs one request: validated, scheduled, counted in the statistics.</summary>
    /// <param name="outputNames">The outputs wanted, in the order they come back; empty for every output.</param>
    public Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken = default) =>
        RunAsync(inputs, outputNames, Stopwatch.GetTimestamp(), cancellationToken);

    /// <param name="arrivedAt">When the request arrived (<see cref="Stopwatch.GetTimestamp"/>): the time until now, such as waiting for this model to load, counts as queue time.</param>
    public Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, long arrivedAt, CancellationToken cancellationToken) =>
        RunAsync(inputs, outputNames, arrivedAt, _statistics, cancellationToken);

    /// <summary>The warm-up's run: the same path, but not traffic, so it is kept out of the statistics.</summary>
    internal Task<SessionRunResult> RunUncountedAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken) =>
        RunAsync(inputs, outputNames, Stopwatch.GetTimestamp(), statistics: null, cancellationToken);

    private async Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, long arrivedAt,
        ModelStatistics? statistics, CancellationToken cancellationToken)
    {
        var queueTicks = Stopwatch.GetTimestamp() - arrivedAt;
        try
        {
            InferenceInputValidator.Validate(Key.Name, Session, inputs, outputNames, Config.MaxBatchSize);
            var run = await Scheduler.RunAsync(inputs, outputNames.Count > 0 ? outputNames : _allOutputNames, cancellationToken);
            statistics?.RecordSuccess(Stopwatch.GetTimestamp() - arrivedAt, queueTicks + run.QueueTicks, run, Rows(inputs));
            return run;
        }
        catch (ServerlessException)
        {
            statistics?.RecordFailure(Stopwatch.GetTimestamp() - arrivedAt);
            throw;
        }
    }

    /// <summary>Rows in a request: the first dimension of its first input (1 for rank-0 inputs).</summary>
    public static long Rows(IReadOnlyList<InferenceTensor> inputs) =>
        inputs.Count > 0 && inputs[0].Shape.Length > 0 ? inputs[0].Shape[0] : 1;

    internal bool TryAcquire() => Lifetime.TryAcquire();

    internal void Release() => Lifetime.Release();

    /// <summary>No new leases; the session goes once the current ones are released.</summary>
    internal void Retire() => Lifetime.Retire();
}
