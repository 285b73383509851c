using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Serverless.Core.Batching;
using Serverless.Core.Cache;
using Serverless.Core.Inference;
using Serverless.Core.Infrastructure.Onnx;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Core.Text.Embeddings;

/// <summary>
/// The MiniLM sample opened once per test class: one ONNX Runtime session, served to the embedding models under test
/// as the loader serves it (a <see cref="LoadedModel"/> with a pass-through scheduler), and run directly through plain
/// ONNX Runtime for the reference vectors.
/// </summary>
public sealed class MiniLmEncoder : IDisposable
{
    public static readonly ModelKey Key = new(SampleEmbeddingModel.Name, 1);

    private readonly InferenceSession _plain;
    private readonly OnnxModelSession _session;
    private readonly MiniLmReference _reference;

    public MiniLmEncoder()
    {
        var options = new SessionOptions();
        _plain = new InferenceSession(SampleEmbeddingModel.ModelPath, options);
        _session = new OnnxModelSession(Key, _plain, options, ExecutionProvider.Cpu);
        _reference = new MiniLmReference(_plain);
    }

    public InferenceStatistics Statistics { get; } = new(TimeProvider.System);

    /// <summary>The reference's tokenizer: the library's BertTokenizer on the same vocab.txt, its defaults (lower-casing, [CLS]/[SEP]).</summary>
    public BertTokenizer Tokenizer => _reference.Tokenizer;

    /// <summary>An embedding model over the shared session, with the sample's config.json unless told otherwise.</summary>
    public EmbeddingModel Open(EmbeddingConfig? embedding = null, int? maxBatchSize = null, EmbeddingsOptions? limits = null)
    {
        var sample = SampleEmbeddingModel.Config;
        var config = sample with { Embedding = embedding ?? sample.Embedding, MaxBatchSize = maxBatchSize ?? sample.MaxBatchSize };
        var encoder = new LoadedModel(Key, _session, config, new PassThroughScheduler(_session), Statistics.For(Key), new FileInfo(SampleEmbeddingModel.ModelPath).Length);
        return EmbeddingModel.Open(encoder, SampleEmbeddingModel.VersionFolder, limits ?? new EmbeddingsOptions());
    }

    /// <summary>The graph run directly, one sequence alone (no padding), mean-pooled and L2-normalised: what every vector the model gives must equal.</summary>
    public float[] Reference(IReadOnlyList<int> tokenIds) => _reference.Vector(tokenIds);

    public float[] Reference(string text) => _reference.Vector(text);

    /// <summary>last_hidden_state of one sequence run alone, [sequence, hidden] row-major.</summary>
    public float[] States(IReadOnlyList<int> tokenIds) => _reference.States(tokenIds);

    public static double Cosine(float[] a, float[] b) => MiniLmReference.Cosine(a, b);

    public static float MaxDifference(float[] a, float[] b) => MiniLmReference.MaxDifference(a, b);

    public void Dispose() => _session.Dispose();
}
