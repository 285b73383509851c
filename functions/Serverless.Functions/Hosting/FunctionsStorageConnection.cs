namespace Serverless.Functions.Hosting;

/// <summary>
/// The function app's storage account, used by jobs and metering alike, read the way the Functions host reads its own:
/// <c>AzureWebJobsStorage</c> as a connection string, or identity-based <c>AzureWebJobsStorage__accountName</c> /
/// <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c> with <c>__credential</c>
/// (<c>managedidentity</c>) and <c>__clientId</c>. None of them set: embedded mode. <see cref="AzureClientServices"/>
/// registers the clients from it.
/// </summary>
public sealed class FunctionsStorageConnection
{
    public const string Setting = "AzureWebJobsStorage";

    private FunctionsStorageConnection()
    {
    }

    /// <summary>Set for a connection string (Azurite's included); the service URIs are then unset.</summary>
    public string? ConnectionString { get; private init; }

    public Uri? BlobServiceUri { get; private init; }

    public Uri? QueueServiceUri { get; private init; }

    public Uri? TableServiceUri { get; private init; }

    /// <summary><c>__credential</c> is <c>managedidentity</c>: that identity only, not the whole DefaultAzureCredential chain.</summary>
    public bool ManagedIdentity { get; private init; }

    /// <summary><c>__clientId</c>: a user-assigned identity's client id.</summary>
    public string? ClientId { get; private init; }

    public static FunctionsStorageConnection? From(IConfiguration configuration)
    {
        if (configuration[Setting] is { Length: > 0 } connectionString)
        {
            return new FunctionsStorageConnection { ConnectionString = connectionString };
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
        return new FunctionsStorageConnection
        {
            BlobServiceUri = blob,
            QueueServiceUri = queue,
            TableServiceUri = table,
            ManagedIdentity = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase),
            ClientId = string.IsNullOrEmpty(section["clientId"]) ? null : section["clientId"],
        };
    }
}
