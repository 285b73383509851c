namespace Serverless.SampleModels.Repository;

/// <summary>The keys of &lt;model&gt;/config.json that the server reads, plus the training summary.</summary>
internal sealed record ModelConfig
{
    public int MaxBatchSize { get; init; } = 64;

    public string ExecutionProvider { get; init; } = "auto";

    /// <summary>0 lets ONNX Runtime pick one thread per core.</summary>
    public int IntraOpThreads { get; init; }

    public bool Warmup { get; init; } = true;

    public required string Description { get; init; }

    public required TrainingSummary Training { get; init; }
}
