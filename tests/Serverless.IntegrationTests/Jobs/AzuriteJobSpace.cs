using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Jobs;

/// <summary>
/// A queue, a table and a container of their own in the shared Azurite, so tests never see each other's messages,
/// plus the settings that point the app at them.
/// </summary>
public sealed class AzuriteJobSpace
{
    private readonly AzuriteFixture _azurite;

    public AzuriteJobSpace(AzuriteFixture azurite)
    {
        _azurite = azurite;
        var suffix = Guid.NewGuid().ToString("N")[..10];
        Queue = $"jobs-{suffix}";
        Table = $"jobs{suffix}";
        Container = BlobContainer($"data-{suffix}");
        Container.CreateIfNotExists();
    }

    public string Queue { get; }

    public string Table { get; }

    public BlobContainerClient Container { get; }

    public string Url(string blob) => $"{Container.Uri}/{blob}";

    public BlobContainerClient BlobContainer(string name) => new(_azurite.ConnectionString, name);

    /// <summary>Sends base64 like the app and the Functions host; receiving decodes it.</summary>
    public QueueClient QueueClient(string? name = null) =>
        new(_azurite.ConnectionString, name ?? Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public QueueClient RawQueueClient() => new(_azurite.ConnectionString, Queue);

    public (string Key, string Value)[] Settings(params (string Key, string Value)[] more) =>
    [
        ("Models:Repository", RepositoryPaths.SampleModels),
        ("AzureWebJobsStorage", _azurite.ConnectionString),
        ("Jobs:Queue", Queue),
        ("Jobs:Table", Table),
        ("Jobs:AllowedContainers:0", Container.Name),
        ("Jobs:MaxPollingIntervalSeconds", "0.2"),
        .. more,
    ];

    public async Task UploadAsync(string blob, string text) =>
        await Container.GetBlobClient(blob).UploadAsync(BinaryData.FromString(text), overwrite: true);

    public async Task<string> DownloadAsync(string blob) =>
        Encoding.UTF8.GetString((await Container.GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToArray());

    public async Task<bool> ExistsAsync(string blob) => (await Container.GetBlobClient(blob).ExistsAsync()).Value;
}
