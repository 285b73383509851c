using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
namespace Serverless.Tests.Fixtures;

/// <summary>
/// What the sample MiniLM gives with nothing of the service in between: the library's BertTokenizer on its vocab.txt,
/// the graph run by plain ONNX Runtime on one sequence alone, mean pooling and L2 normalisation as sentence-transformers does.
/// </summary>
/// <remarks>Shared by the embedding model's unit tests (over the session they also serve) and the HTTP tests.</remarks>
public sealed class MiniLmReference(InferenceSession? session = null) : IDisposable
{
    private readonly bool _ownsSession = session is null;
    private readonly InferenceSession _session = session ?? new(SampleEmbeddingModel.ModelPath);

    public BertTokenizer Tokenizer { get; } = BertTokenizer.Create(SampleEmbeddingModel.VocabularyPath);

    public IReadOnlyList<int> Tokens(string text) => Tokenizer.EncodeToIds(text);

    /// <summary>The tokens of a text cut to the model's limit as Hugging Face truncates: the first ones, [SEP] kept last.</summary>
    public IReadOnlyList<int> TruncatedTokens(string text)
    {
        var ids = Tokens(text);
        return ids.Count <= SampleEmbeddingModel.MaxTokens ? ids : [.. ids.Take(SampleEmbeddingModel.MaxTokens - 1), ids[^1]];
    }

    public float[] Vector(string text) => Vector(Tokens(text));

    public float[] Vector(IReadOnlyList<int> tokenIds)
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
        return [.. vector.Select(x => x / norm)];
    }

    /// <summary>last_hidden_state of one sequence, [sequence, hidden] row-major.</summary>
    public float[] States(IReadOnlyList<int> tokenIds)
    {
        long[] shape = [1, tokenIds.Count];
        using var ids = OrtValue.CreateTensorValueFromMemory(tokenIds.Select(i => (long)i).ToArray(), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, tokenIds.Count).ToArray(), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[tokenIds.Count], shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static float MaxDifference(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.Equal(a.Count, b.Count);
        return a.Zip(b, (x, y) => MathF.Abs(x - y)).Max();
    }

    public static double Cosine(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    public void Dispose()
    {
        if (_ownsSession)
        {
            _session.Dispose();
        }
    }
}
