using Serverless.Testing;

namespace Serverless.FunctionsHost.Tests;

/// <summary>One real Azurite (tests/Azurite, installed by this project's build) for a test class.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; } = new();

    public string ConnectionString => Server.ConnectionString;

    public Task InitializeAsync() => Server.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
