using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Tests.Jobs;

/// <summary>
/// Makes every version of model <see cref="Name"/> a <see cref="FakeEmbeddingModel"/> over its (fake) encoder graph,
/// as the loader makes a folder with a tokenizer an embedding model.
/// </summary>
internal sealed class FakeEmbeddingModels : IEmbeddingModelFactory
{
    public const string Name = "e";

    /// <summary>Runs before each <see cref="IEmbeddingModel.EmbedAsync"/> with the call's number (from 1) and its inputs; may throw to kill the shard there.</summary>
    public Func<int, int, Task> BeforeEmbed { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Inputs of every embed call, in order.</summary>
    public List<int> Calls { get; } = [];

    public bool Recognizes(string versionDirectory, ModelConfig config) =>
        versionDirectory.Replace('\\', '/').Contains($"/{Name}/", StringComparison.Ordinal);

    public IEmbeddingModel Open(LoadedModel encoder, string versionDirectory, ModelConfig config) => new FakeEmbeddingModel(encoder, this);

    /// <summary>
    /// Tokens: [CLS]=1, one id per space-separated word (10 + its length), [SEP]=2; more than <see cref="MaxTokens"/> is
    /// refused (the model does not truncate). Vector: (tokens, sum of the ids, first word's id).
    /// </summary>
    public static int[] Tokens(string text) => [1, .. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => 10 + w.Length), 2];

    public static float[] Vector(IReadOnlyList<int> ids) => [ids.Count, ids.Sum(), ids[1 % ids.Count]];

    public const int MaxTokens = 6;

    private sealed class FakeEmbeddingModel(LoadedModel encoder, FakeEmbeddingModels factory) : IEmbeddingModel
    {
        public EmbeddingModelInfo Info { get; } = new(3, MaxTokens, "mean", Normalize: false, Truncate: false);

        public ModelKey Key => encoder.Key;

        public ModelKind Kind => ModelKind.Embedding;

        public ModelConfig Config => encoder.Config;

        public long SizeBytes => encoder.SizeBytes;

        public bool OnGpu => false;

        public TimeSpan LoadTime => encoder.LoadTime;

        public string ContentId => encoder.ContentId;

        public LoadedModel Graph => encoder;

        public ModelLifetime Lifetime => encoder.Lifetime;

        public IReadOnlyList<int> Tokenize(EmbeddingInput input)
        {
            var ids = input.TokenIds?.ToArray() ?? Tokens(input.Text!);
            return ids.Length <= MaxTokens ? ids : throw new InvalidInferenceInputException($"input is {ids.Length} tokens long; model 'e' takes at most {MaxTokens}");
        }

        public async Task<EmbeddingBatch> EmbedAsync(IReadOnlyList<EmbeddingInput> inputs, CancellationToken cancellationToken = default)
        {
            int call;
            lock (factory.Calls)
            {
                factory.Calls.Add(inputs.Count);
                call = factory.Calls.Count;
            }
            await factory.BeforeEmbed(call, inputs.Count);
            var ids = inputs.Select(Tokenize).ToList();
            return new EmbeddingBatch(ids.Select(Vector).ToList(), ids.Select(i => i.Count).ToList(), TimeSpan.FromMilliseconds(inputs.Count));
        }
    }
}
