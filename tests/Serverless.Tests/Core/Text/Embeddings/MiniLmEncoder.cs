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

    public MiniLmEncoder()
    {
        var options = new SessionOptions();
        _plain = new InferenceSession(SampleEmbeddingModel.ModelPath, options);
        _session = new OnnxModelSession(Key, _plain, options, ExecutionProvider.Cpu);
    }

    public InferenceStatistics Statistics { get; } = new(TimeProvider.System);

    /// <summary>The reference's tokenizer: the library's BertTokenizer on the same vocab.txt, its defaults (lower-casing, [CLS]/[SEP]).</summary>
    public BertTokenizer Tokenizer { get; } = BertTokenizer.Create(SampleEmbeddingModel.VocabularyPath);

    /// <summary>An embedding model over the shared session, with the sample's config.json unless told otherwise.</summary>
    public EmbeddingModel Open(EmbeddingConfig? embedding = null, int? maxBatchSize = null, EmbeddingsOptions? limits = null)
    {
        var sample = SampleEmbeddingModel.Config;
        var config = sample with { Embedding = embedding ?? sample.Embedding, MaxBatchSize = maxBatchSize ?? sample.MaxBatchSize };
        var encoder = new LoadedModel(Key, _session, config, new PassThroughScheduler(_session), Statistics.For(Key), new FileInfo(SampleEmbeddingModel.ModelPath).Length);
        return EmbeddingModel.Open(encoder, SampleEmbeddingModel.VersionFolder, limits ?? new EmbeddingsOptions());
    }

    /// <summary>
    /// The graph run directly, one sequence alone (no padding), mean-pooled and L2-normalised in float as
    /// sentence-transformers does: what every vector the model gives must equal.
    /// </summary>
    public float[] Reference(IReadOnlyList<int> tokenIds)
    {
        var length = tokenIds.Count;
        var states = States(tokenIds);
        var hidden = states.Length / length;
        var vector = new float[hidden];
        for (var t = 0; t < length; t++)
        {
            for (var h = 0; h < hidden; h++)
            {
                vector[h] += states[t * hidden + h];
            }
        }
        var norm = 0f;
        for (var h = 0; h < hidden; h++)
        {
            vector[h] /= length;
            norm += vector[h] * vector[h];
        }
        norm = MathF.Max(MathF.Sqrt(norm), 1e-12f);
        return vector.Select(x => x / norm).ToArray();
    }

    /// <summary>last_hidden_state of one sequence run alone, [sequence, hidden] row-major.</summary>
    public float[] States(IReadOnlyList<int> tokenIds)
    {
        var length = tokenIds.Count;
        long[] shape = [1, length];
        using var ids = OrtValue.CreateTensorValueFromMemory(tokenIds.Select(i => (long)i).ToArray(), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, length).ToArray(), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[length], shape);
        using var runOptions = new RunOptions();
        using var outputs = _plain.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public float[] Reference(string text) => Reference(Tokenizer.EncodeToIds(text));

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    public static float MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => MathF.Abs(x - y)).Max();
    }

    public void Dispose() => _session.Dispose();
}
