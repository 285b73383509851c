using Serverless.Testing;

namespace Serverless.Tests.Fixtures;

/// <summary>One real Azurite for every test in <see cref="AzuriteCollection"/>.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly AzuriteServer _server = new();

    public int BlobPort => _server.BlobPort;
    public int QueuePort => _server.QueuePort;
    public int TablePort => _server.TablePort;
    public string BlobEndpoint => _server.BlobEndpoint;
    public string ConnectionString => _server.ConnectionString;

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
