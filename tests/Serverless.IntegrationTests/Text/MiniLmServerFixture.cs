using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;

namespace Serverless.Tests.Text;

/// <summary>
/// The real server over the sample repository (the real all-MiniLM-L6-v2), metering on with a price per 1K input
/// tokens, one caller with a key, and the plain-ONNX-Runtime reference the vectors are held to. Texts are capped at
/// <see cref="MaxCharacters"/> so the character bound is cheap to reach.
/// </summary>
public sealed class MiniLmServerFixture : IAsyncLifetime
{
    public const int MaxCharacters = 5000;

    public const string Caller = "minilm-caller";

    public ServerlessHost Host { get; private set; } = null!;

    public string Key { get; private set; } = "";

    public MiniLmReference Reference { get; } = new();

    public async Task InitializeAsync()
    {
        Host = await ServerlessHost.StartAsync(MeteredApi.Settings(
            ("Metering:RequireKey", "true"),
            ("Metering:DefaultPricing:PerCall", "0"),
            ("Metering:DefaultPricing:Per1000Rows", "0"),
            ("Metering:DefaultPricing:PerComputeSecond", "0"),
            ("Metering:DefaultPricing:Per1000InputTokens", "3"),
            ("Embeddings:MaxCharactersPerInput", MaxCharacters.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Key = await MeteredApi.CreateCallerWithKeyAsync(Host.Client, Caller);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Reference.Dispose();
    }
}
