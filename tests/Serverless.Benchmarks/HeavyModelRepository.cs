using Serverless.SampleModels.Onnx;

namespace Serverless.Benchmarks;

/// <summary>
/// A temporary repository holding one compute-heavy MLP (256 -> 3 hidden layers of <c>hiddenWidth</c> -> 16) (generated,
/// never committed) three times, so all run in the same server and the same process: dynamic batching on one instance
/// using every core for each Run, dynamic batching on two single-threaded instances running side by side, and no batching.
/// </summary>
public sealed class HeavyModelRepository : IDisposable
{
    public const string Batched = "heavy-batched";
    public const string Parallel = "heavy-parallel";
    public const string Unbatched = "heavy-unbatched";
    public const string FullBatches = "heavy-full-batches";

    /// <summary>Long enough for 32 closed-loop clients to come back after a Run (3,000 measured 31.5-31.8 rows a Run).</summary>
    public const int FullBatchesDelayUs = 4000;

    /// <summary>The opt-in that holds a batch until it is full: docs/model-repository.md, dynamic batching.</summary>
    public static readonly string FullBatchesConfig =
        $$$"""{"dynamic_batching": {"max_batch_size": 32, "preferred_batch_sizes": [32], "max_queue_delay_us": {{{FullBatchesDelayUs}}}}}""";

    public const int InputWidth = 256;

    public HeavyModelRepository(int hiddenWidth, int maxBatch, int maxQueueDelayUs)
    {
        Directory.CreateDirectory(Root);
        var model = MlpModel.Create(InputWidth, [hiddenWidth, hiddenWidth, hiddenWidth], 16, seed: 11);
        Write(Batched, model, $$$"""{"dynamic_batching": {"max_batch_size": {{{maxBatch}}}, "max_queue_delay_us": {{{maxQueueDelayUs}}}, "preferred_batch_sizes": [{{{maxBatch}}}]}}""");
        // Two Runs of half a batch each, one core each: while one instance computes, the other's requests are read
        // and its answers written, instead of every core waiting on HTTP between Runs of a full batch.
        Write(Parallel, model, $$$"""{"intra_op_threads": 1, "dynamic_batching": {"max_batch_size": {{{maxBatch / 2}}}, "max_queue_delay_us": {{{maxQueueDelayUs}}}, "preferred_batch_sizes": [{{{maxBatch / 2}}}], "instance_count": 2}}""");
        Write(Unbatched, model, "{}");
        ModelPath = Path.Combine(Root, Batched, "1", "model.onnx");
    }

    /// <summary>The same MLP under each name, with the given <c>config.json</c> (none where it is null).</summary>
    public HeavyModelRepository(int hiddenWidth, params (string Name, string? Config)[] models)
    {
        Directory.CreateDirectory(Root);
        var model = MlpModel.Create(InputWidth, [hiddenWidth, hiddenWidth, hiddenWidth], 16, seed: 11);
        foreach (var (name, config) in models)
        {
            Write(name, model, config);
        }
        ModelPath = Path.Combine(Root, models[0].Name, "1", "model.onnx");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "serverless-heavy-" + Guid.NewGuid().ToString("N"));

    public string ModelPath { get; }

    private void Write(string name, byte[] model, string? config)
    {
        Directory.CreateDirectory(Path.Combine(Root, name, "1"));
        File.WriteAllBytes(Path.Combine(Root, name, "1", "model.onnx"), model);
        if (config is not null)
        {
            File.WriteAllText(Path.Combine(Root, name, "config.json"), config);
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
