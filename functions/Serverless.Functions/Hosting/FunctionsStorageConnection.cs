using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Serverless.Functions.Hosting;

/// <summary>
/// The function app's storage account, used by jobs and metering alike, read the way the Functions host reads its own: <c>AzureWebJobsStorage</c> as a
/// connection string, or identity-based <c>AzureWebJobsStorage__accountName</c> / <c>__blobServiceUri</c> /
/// <c>__queueServiceUri</c> / <c>__tableServiceUri</c> with <c>__credential</c> (<c>managedidentity</c>) and <c>__clientId</c>.
/// None of them set: embedded mode.
/// </summary>
public sealed class FunctionsStorageConnection
{
    public const string Setting = "AzureWebJobsStorage";

    private readonly string? _connectionString;
    private readonly Uri? _blob;
    private readonly Uri? _queue;
    private readonly Uri? _table;
    private readonly TokenCredential? _credential;

    private FunctionsStorageConnection(string connectionString) => _connectionString = connectionString;

    private FunctionsStorageConnection(Uri blob, Uri queue, Uri table, TokenCredential credential) =>
        (_blob, _queue, _table, _credential) = (blob, queue, table, credential);

    public static FunctionsStorageConnection? From(IConfiguration configuration)
    {
        if (configuration[Setting] is { Length: > 0 } connectionString)
        {
            return new FunctionsStorageConnection(connectionString);
        }
        var section = configuration.GetSection(Setting);
        var account = section["accountName"];
        Uri? Endpoint(string key, string service) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri) : account is { Length: > 0 } ? new Uri($"https://{account}.{service}.core.windows.net") : null;
        var (blob, queue, table) = (Endpoint("blobServiceUri", "blob"), Endpoint("queueServiceUri", "queue"), Endpoint("tableServiceUri", "table"));
        if (blob is null && queue is null && table is null)
        {
            return null;
        }
        if (blob is null || queue is null || table is null)
        {
            throw new InvalidOperationException($"{Setting}: set {Setting}__accountName, or all of {Setting}__blobServiceUri, __queueServiceUri and __tableServiceUri (jobs use blobs, a queue and a table)");
        }
        var clientId = section["clientId"];
        TokenCredential credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrEmpty(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrEmpty(clientId) ? null : clientId });
        return new FunctionsStorageConnection(blob, queue, table, credential);
    }

    public BlobServiceClient BlobService() =>
        _connectionString is not null ? new BlobServiceClient(_connectionString) : new BlobServiceClient(_blob, _credential);

    /// <summary>Sends base64, as host.json's messageEncoding tells the Functions host to expect.</summary>
    public QueueClient Queue(string name, QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var options = new QueueClientOptions { MessageEncoding = encoding };
        return _connectionString is not null
            ? new QueueClient(_connectionString, name, options)
            : new QueueClient(new Uri(_queue!.AbsoluteUri.TrimEnd('/') + "/" + name), _credential, options);
    }

    public TableServiceClient TableService() =>
        _connectionString is not null ? new TableServiceClient(_connectionString) : new TableServiceClient(_table, _credential);

    public TableClient Table(string name) =>
        _connectionString is not null ? new TableClient(_connectionString, name) : new TableClient(_table, name, _credential);
}
