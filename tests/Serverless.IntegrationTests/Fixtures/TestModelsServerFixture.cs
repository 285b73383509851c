namespace Serverless.Tests.Fixtures;

/// <summary>One real server over a <see cref="TestModelRepository"/>, shared by a test class.</summary>
public sealed class TestModelsServerFixture : IAsyncLifetime
{
    // Batching waits long for company so that concurrent requests do share Runs.
    public const string EchoConfig = """{"max_batch_size": 8, "dynamic_batching": {"max_queue_delay_us": 20000, "preferred_batch_sizes": [4], "max_queue_size": 64}}""";

    public TestModelRepository Models { get; } = new((TestModelRepository.Echo, EchoConfig), (TestModelRepository.NumbersAsText, """{"max_batch_size": 4, "warmup": true}"""));

    public ServerlessHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public async Task InitializeAsync() => Host = await ServerlessHost.StartAsync(("Models:Repository", Models.Root));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Models.Dispose();
    }
}
