using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Repository;

/// <summary>
/// The optional <c>&lt;repo&gt;/&lt;model&gt;/config.json</c>. Every key is optional; unknown keys are ignored so
/// later features (pricing, dynamic batching) can add theirs without breaking older servers.
/// </summary>
public sealed record ModelConfig
{
    public static readonly ModelConfig Default = new();

    /// <summary>Largest first dimension accepted per request; 0 means no limit.</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>cuda or cpu overrides Inference:ExecutionProvider for this model; auto (or nothing) follows it.</summary>
    public string? ExecutionProvider { get; init; }

    public int? IntraOpThreads { get; init; }

    public int? InterOpThreads { get; init; }

    /// <summary>CUDA settings (device, arena limit, cuDNN search, IO binding); null (absent) means the defaults.</summary>
    public GpuConfig? Gpu { get; init; }

    /// <summary>Run one inference with zeros right after loading, so the first real call does not pay lazy allocations.</summary>
    public bool Warmup { get; init; }

    public string? Description { get; init; }

    /// <summary>Merge concurrent requests into one Run; null (absent) means off.</summary>
    public Batching.DynamicBatchingConfig? DynamicBatching { get; init; }

    /// <summary>How a text encoder pools, normalises and bounds its inputs (an embedding model); null (absent) means the defaults.</summary>
    public Text.Embeddings.EmbeddingConfig? Embedding { get; init; }

    /// <summary>Per-model prices, read by metering.</summary>
    public JsonElement? Pricing { get; init; }

    // NOTE: reflection-based on purpose. A source-generated reader (tried, to take the reflection pass off a cold
    // instance's first load) sets every init-only property in one object initializer, so a default such as
    // DynamicBatchingConfig.Enabled = true became false whenever the key was absent (ModelConfigTests).
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // Numbers are numbers: "64" as a string is refused, as a typo would be, rather than read as 64.
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Most rows a request (or a merged batch) may carry: a job's batch_size has the same cap.</summary>
    public const int MaxRows = 65_536;

    /// <summary>Threads a session may ask for, per pool: far above any machine this runs on, far below what exhausts one.</summary>
    public const int MaxThreads = 256;

    public static ModelConfig Parse(string model, ReadOnlySpan<byte> json)
    {
        ModelConfig config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(json, JsonOptions) ?? Default;
        }
        catch (JsonException e)
        {
            throw new Errors.ModelLoadException($"model '{model}': config.json is not valid: {e.Message}", e);
        }
        config.Validate(model);
        return config;
    }

    /// <summary>
    /// Every value against its documented range (docs/model-repository.md), at load: a value past it is that model's
    /// load error naming the field, never an allocation that takes the process down on the first request.
    /// </summary>
    private void Validate(string model)
    {
        ConfigRange.Check(model, "max_batch_size", MaxBatchSize, 0, MaxRows);
        // 0: the server decides (Inference:IntraOpThreads, then the batching layout), as the sample models say.
        ConfigRange.Check(model, "intra_op_threads", IntraOpThreads, 0, MaxThreads);
        ConfigRange.Check(model, "inter_op_threads", InterOpThreads, 0, MaxThreads);
        DynamicBatching?.Validate(model);
        Embedding?.Validate(model);
    }
}
