using Serverless.SampleModels.Onnx;

namespace Serverless.Benchmarks;

/// <summary>
/// A temporary repository holding one compute-heavy MLP (256 -> 3 hidden layers of <c>hiddenWidth</c> -> 16) (generated, never committed) twice: with dynamic batching
/// on and off, so both run in the same server and the same process.
/// </summary>
public sealed class HeavyModelRepository : IDisposable
{
    public const string Batched = "heavy-batched";
    public const string Unbatched = "heavy-unbatched";
    public const int InputWidth = 256;

    public HeavyModelRepository(int hiddenWidth, int maxBatch, int maxQueueDelayUs)
    {
        Directory.CreateDirectory(Root);
        var model = MlpModel.Create(InputWidth, [hiddenWidth, hiddenWidth, hiddenWidth], 16, seed: 11);
        Write(Batched, model, $$$"""{"dynamic_batching": {"max_batch_size": {{{maxBatch}}}, "max_queue_delay_us": {{{maxQueueDelayUs}}}, "preferred_batch_sizes": [{{{maxBatch}}}]}}""");
        Write(Unbatched, model, "{}");
        ModelPath = Path.Combine(Root, Batched, "1", "model.onnx");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "serverless-heavy-" + Guid.NewGuid().ToString("N"));

    public string ModelPath { get; }

    private void Write(string name, byte[] model, string config)
    {
        Directory.CreateDirectory(Path.Combine(Root, name, "1"));
        File.WriteAllBytes(Path.Combine(Root, name, "1", "model.onnx"), model);
        File.WriteAllText(Path.Combine(Root, name, "config.json"), config);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
