using System.Globalization;
using Serverless.SampleModels.Text;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;
using Serverless.Tests.Core.Text.Generation;

namespace Serverless.Tests.Text;

/// <summary>
/// The real server over a temporary repository of decoders written by the project's ONNX writer: the sample
/// <c>tiny-chat</c> (the committed sample's bytes), and three copies of a bigger one that never ends by itself
/// (<see cref="Slow"/>, <see cref="EndlessDecoderFolder"/>), slow enough a token that a generation of
/// <see cref="SlowMaxTokens"/> cannot end before a client that leaves after its first chunk is gone: <c>slow-chat</c>
/// for disconnects, <c>held-chat</c> to fill the concurrency limit, <c>reader-chat</c> for a reader that stops reading
/// (each its own, since a slot is given back only once the server has seen its client go). Metering is on with prompt
/// and completion tokens priced apart; one caller with a key; GenAI's own loop on tiny-chat for reference.
/// </summary>
public sealed class TextGenerationServerFixture : IAsyncLifetime
{
    /// <summary>The test classes that share one server (a collection runs its classes one after another).</summary>
    public const string Collection = "text generation server";

    public const string Tiny = TinyChatSample.Name;
    public const string SlowModel = "slow-chat";
    public const string HeldModel = "held-chat";
    public const string ReaderModel = "reader-chat";
    public const int MaxConcurrentPerModel = 2;
    public const decimal PricePer1000Input = 2m;
    public const decimal PricePer1000Output = 7m;
    public const int SlowMaxTokens = 2000;

    /// <summary>About 3M weights and a 2048-token context: a millisecond or more a token, seconds for <see cref="SlowMaxTokens"/>.</summary>
    public static readonly DecoderDimensions Slow = new(Layers: 4, Heads: 8, HeadSize: 32, ContextLength: 2048);

    private readonly string _repository = Path.Combine(Path.GetTempPath(), "serverless-text-" + Guid.NewGuid().ToString("N"));

    public ServerlessHost Host { get; private set; } = null!;

    public string Key { get; private set; } = "";

    public GenAiGreedyReference Reference { get; private set; } = null!;

    public string TinyFolder { get; private set; } = "";

    public async Task InitializeAsync()
    {
        TinyFolder = TinyChatSample.Write(_repository);
        EndlessDecoderFolder.Write(Path.Combine(_repository, SlowModel, "1"), Slow, seed: 5);
        EndlessDecoderFolder.Write(Path.Combine(_repository, HeldModel, "1"), Slow, seed: 5);
        EndlessDecoderFolder.Write(Path.Combine(_repository, ReaderModel, "1"), Slow, seed: 5);
        Reference = new GenAiGreedyReference(TinyFolder);
        Host = await ServerlessHost.StartAsync(
            ("Models:Repository", _repository),
            ("Metering:AdminKey", MeteredApi.AdminKey),
            ("Metering:RequireKey", "true"),
            ("Metering:DefaultPricing:PerCall", "0"),
            ("Metering:DefaultPricing:Per1000Rows", "0"),
            ("Metering:DefaultPricing:PerComputeSecond", "0"),
            ("Metering:DefaultPricing:Per1000InputTokens", PricePer1000Input.ToString(CultureInfo.InvariantCulture)),
            ("Metering:DefaultPricing:Per1000OutputTokens", PricePer1000Output.ToString(CultureInfo.InvariantCulture)),
            ("Generation:MaxConcurrentPerModel", MaxConcurrentPerModel.ToString(CultureInfo.InvariantCulture)));
        Key = await MeteredApi.CreateCallerWithKeyAsync(Host.Client, "text-caller");
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Reference.Dispose();
        Directory.Delete(_repository, recursive: true);
    }
}

[CollectionDefinition(TextGenerationServerFixture.Collection)]
public sealed class TextGenerationServerCollection : ICollectionFixture<TextGenerationServerFixture>;
