using System.Globalization;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Embeddings;

/// <summary>
/// A loaded text encoder (<see cref="IEmbeddingModel"/>): an opened BERT-family graph, run only through its
/// <see cref="LoadedModel"/>, with the version folder's WordPiece tokenizer and the config's pooling. Concurrent calls'
/// inputs share padded runs (<see cref="EmbeddingBatcher"/>). What the registry counts (size, device, load time) is
/// the encoder's.
/// </summary>
public sealed class EmbeddingModel : IEmbeddingModel
{
    /// <summary>Sequences in one run when config.json sets no max_batch_size.</summary>
    public const int DefaultMaxBatchSize = 32;

    private readonly EmbeddingTokenizer _tokenizer;
    private readonly EmbeddingBatcher _batcher;
    private readonly int _maxInputsPerCall;

    private EmbeddingModel(LoadedModel encoder, EmbeddingTokenizer tokenizer, EmbeddingBatcher batcher, EmbeddingModelInfo info, int maxInputsPerCall)
    {
        Encoder = encoder;
        _tokenizer = tokenizer;
        _batcher = batcher;
        Info = info;
        _maxInputsPerCall = maxInputsPerCall;
    }

    /// <summary>The encoder graph: its session, scheduler, statistics and leases; retiring the model is retiring it.</summary>
    public LoadedModel Encoder { get; }

    public EmbeddingModelInfo Info { get; }

    public ModelKey Key => Encoder.Key;

    public ModelConfig Config => Encoder.Config;

    public long SizeBytes => Encoder.SizeBytes;

    public bool OnGpu => Encoder.OnGpu;

    public TimeSpan LoadTime => Encoder.LoadTime;

    public ModelKind Kind => ModelKind.Embedding;

    public string ContentId => Encoder.ContentId;

    /// <summary>Callers who tokenize themselves send token ids as tensors to the encoder through the v2 API.</summary>
    public LoadedModel Graph => Encoder;

    /// <summary>The encoder's: the batcher holds nothing beyond the runs in flight, which hold leases of their own.</summary>
    public ModelLifetime Lifetime => Encoder.Lifetime;

    /// <summary>Whether a version folder holds an embedding model (see <see cref="EncoderFolder.IsEmbeddingFolder"/>).</summary>
    public static bool IsEmbeddingFolder(string versionDirectory, ModelConfig config) => EncoderFolder.IsEmbeddingFolder(versionDirectory, config);

    /// <summary>
    /// The embedding model over an already opened <paramref name="encoder"/>, with the tokenizer of its version folder
    /// (the folder of its model.onnx) and config.json's <c>embedding</c> section; throws <see cref="ModelLoadException"/>
    /// when the graph or the folder is not an embedding model's.
    /// </summary>
    public static EmbeddingModel Open(LoadedModel encoder, string versionDirectory, EmbeddingsOptions limits)
    {
        // The name callers use: the 400s of its inputs name it as they sent it.
        var model = encoder.Key.Name;
        var config = encoder.Config.Embedding ?? EmbeddingConfig.Default;
        var signature = EncoderSignature.Of(encoder);
        var tokenizer = EmbeddingTokenizer.Open(model, EncoderFolder.Read(model, versionDirectory), config, limits);
        var batchSize = encoder.Config.MaxBatchSize > 0 ? encoder.Config.MaxBatchSize : DefaultMaxBatchSize;
        var info = new EmbeddingModelInfo(signature.HiddenSize, tokenizer.MaxTokens, config.UsesClsPooling ? EmbeddingConfig.ClsPooling : EmbeddingConfig.MeanPooling,
            config.Normalize, config.Truncate);
        return new EmbeddingModel(encoder, tokenizer, new EmbeddingBatcher(encoder, signature, tokenizer.PaddingId, batchSize, config), info, limits.MaxInputsPerCall);
    }

    public IReadOnlyList<int> Tokenize(EmbeddingInput input) => _tokenizer.Tokenize(input, "input");

    public async Task<EmbeddingBatch> EmbedAsync(IReadOnlyList<EmbeddingInput> inputs, CancellationToken cancellationToken = default)
    {
        if (inputs.Count == 0)
        {
            throw new InvalidInferenceInputException("input must hold at least one text or list of token ids");
        }
        if (inputs.Count > _maxInputsPerCall)
        {
            throw new InvalidInferenceInputException(string.Create(CultureInfo.InvariantCulture,
                $"input holds {inputs.Count} inputs; at most {_maxInputsPerCall} are accepted in one call (Embeddings:MaxInputsPerCall)"));
        }
        var sequences = new int[inputs.Count][];
        for (var i = 0; i < inputs.Count; i++)
        {
            sequences[i] = _tokenizer.Tokenize(inputs[i], string.Create(CultureInfo.InvariantCulture, $"input[{i}]"));
        }
        var embedded = await Task.WhenAll(_batcher.Submit(sequences, cancellationToken));
        return new EmbeddingBatch(
            embedded.Select(e => e.Vector).ToArray(),
            sequences.Select(s => s.Length).ToArray(),
            embedded.Aggregate(TimeSpan.Zero, (total, e) => total + e.ComputeTime));
    }
}
