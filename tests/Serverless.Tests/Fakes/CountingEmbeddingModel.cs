using Serverless.Core.Cache;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Tests.Fakes;

/// <summary>An encoder for tests of what surrounds one: a text is one token per character plus two specials; it counts what it tokenizes and embeds.</summary>
internal sealed class CountingEmbeddingModel(ModelKey key, int dimensions = 4) : IEmbeddingModel
{
    private int _tokenized;
    private int _embedded;

    public int Tokenized => Volatile.Read(ref _tokenized);

    public int Embedded => Volatile.Read(ref _embedded);

    public ModelKey Key { get; } = key;

    public ModelKind Kind => ModelKind.Embedding;

    public ModelConfig Config => ModelConfig.Default;

    public long SizeBytes => 100;

    public bool OnGpu => false;

    public TimeSpan LoadTime => TimeSpan.Zero;

    public string ContentId => "etag";

    public LoadedModel? Graph => null;

    public ModelLifetime Lifetime { get; } = new(() => { });

    public EmbeddingModelInfo Info => new(dimensions, 16, "mean", Normalize: true, Truncate: true);

    public IReadOnlyList<int> Tokenize(EmbeddingInput input)
    {
        Interlocked.Increment(ref _tokenized);
        return input.TokenIds ?? Enumerable.Range(0, input.Text!.Length + 2).ToList();
    }

    public Task<EmbeddingBatch> EmbedAsync(IReadOnlyList<EmbeddingInput> inputs, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _embedded);
        var counts = inputs.Select(i => i.TokenIds?.Count ?? i.Text!.Length + 2).ToArray();
        return Task.FromResult(new EmbeddingBatch(counts.Select(c => Enumerable.Repeat((float)c, dimensions).ToArray()).ToArray(), counts, TimeSpan.FromMilliseconds(3)));
    }
}
