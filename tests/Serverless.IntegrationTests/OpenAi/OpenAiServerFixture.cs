using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Metering;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;
using Serverless.Tests.Fixtures;
using Serverless.Tests.Metering;
using Serverless.Tests.Protocol.OpenAi;

namespace Serverless.Tests.OpenAi;

/// <summary>
/// The real server over the sample repository, keys required, with fake text services in place of the application's:
/// each test sets the behaviour it needs (<see cref="Generation"/>, <see cref="Embeddings"/>). Text bodies are capped
/// at 4 KiB so a 413 is cheap to provoke.
/// </summary>
public sealed class OpenAiServerFixture : IAsyncLifetime
{
    public const string Key = MeteredApi.AdminKey;

    public const int MaxRequestBytes = 4096;

    public SwitchingTextGeneration Generation { get; } = new();

    public SwitchingTextEmbeddings Embeddings { get; } = new();

    public ServerlessHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await ServerlessHost.StartWithServicesAsync(services =>
            {
                services.AddSingleton<ITextGeneration>(Generation);
                services.AddSingleton<ITextEmbeddings>(Embeddings);
            },
            MeteredApi.Settings(("Metering:RequireKey", "true"), ("OpenAi:MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public sealed class SwitchingTextGeneration : ITextGeneration
    {
        public FakeTextGeneration Current { get; set; } = new();

        public Task<GenerationStream> StartAsync(CallerIdentity caller, GenerationRequest request, CancellationToken cancellationToken = default) =>
            Current.StartAsync(caller, request, cancellationToken);
    }

    public sealed class SwitchingTextEmbeddings : ITextEmbeddings
    {
        public FakeTextEmbeddings Current { get; set; } = new();

        public Task<EmbeddingResult> EmbedAsync(CallerIdentity caller, EmbeddingRequest request, CancellationToken cancellationToken = default) =>
            Current.EmbedAsync(caller, request, cancellationToken);
    }
}
