using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Tests.Protocol.OpenAi;

/// <summary>
/// An encoder of <see cref="Dimensions"/>-long vectors that depend only on the input (its length in characters or ids),
/// billing one token per character or id; it can refuse the call instead, and records what it got.
/// </summary>
public sealed class FakeTextEmbeddings : ITextEmbeddings
{
    public int Dimensions { get; init; } = 3;

    public Exception? RefuseWith { get; init; }

    public List<(CallerIdentity Caller, EmbeddingRequest Request)> Calls { get; } = [];

    public static float[] VectorOf(EmbeddingInput input, int dimensions)
    {
        var length = input.Text?.Length ?? input.TokenIds!.Count;
        return [.. Enumerable.Range(0, dimensions).Select(i => length + i * 0.25f - 1.5f)];
    }

    public Task<EmbeddingResult> EmbedAsync(CallerIdentity caller, EmbeddingRequest request, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add((caller, request));
        }
        if (RefuseWith is not null)
        {
            throw RefuseWith;
        }
        TextModelName.TryParse(request.Model, out var name);
        var tokens = request.Inputs.Sum(i => (long)(i.Text?.Length ?? i.TokenIds!.Count));
        return Task.FromResult(new EmbeddingResult(new ModelKey(name.Name, name.Version ?? 1), [.. request.Inputs.Select(i => VectorOf(i, Dimensions))], new TokenUsage(tokens, 0)));
    }
}
