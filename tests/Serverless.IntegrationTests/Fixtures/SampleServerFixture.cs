namespace Serverless.Tests.Fixtures;

/// <summary>One running server over the sample models, shared by a test class.</summary>
public sealed class SampleServerFixture : IAsyncLifetime
{
    public ServerlessHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public async Task InitializeAsync() => Host = await ServerlessHost.StartAsync(("Models:Repository", RepositoryPaths.SampleModels));

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
