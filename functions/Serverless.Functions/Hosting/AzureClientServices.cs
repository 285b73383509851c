using Azure.Core;
using Azure.Core.Extensions;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Every Azure SDK client of the app comes from here, through Microsoft.Extensions.Azure, with one credential: the
/// function app's storage account (<see cref="FunctionsStorageConnection"/>) as the default blob, queue and table
/// service clients, and named clients for what may live elsewhere (the model repository).
/// </summary>
public static class AzureClientServices
{
    /// <summary>
    /// The jobs queue's service as the standalone listener reads it: bodies as they are, base64 (what this app sends) or
    /// plain JSON (tools, tests). The default client sends base64, what queue tools show decoded; the Functions host
    /// passes bodies as sent too (host.json messageEncoding none), and the app decodes either (JobMessageBody).
    /// </summary>
    public const string RawQueueMessages = "RawQueueMessages";

    public static IServiceCollection AddAzureStorageClients(this IServiceCollection services, FunctionsStorageConnection? storage)
    {
        services.AddAzureClients(clients =>
        {
            // Built once, on first use: a client with a connection string never asks for it.
            clients.UseCredential(_ => Credential(storage));
            if (storage is null)
            {
                return;
            }
            Add(storage.ConnectionString, storage.BlobServiceUri, c => clients.AddBlobServiceClient(c), u => clients.AddBlobServiceClient(u));
            Add(storage.ConnectionString, storage.QueueServiceUri, c => clients.AddQueueServiceClient(c), u => clients.AddQueueServiceClient(u))
                .ConfigureOptions(options => options.MessageEncoding = QueueMessageEncoding.Base64);
            Add(storage.ConnectionString, storage.QueueServiceUri, c => clients.AddQueueServiceClient(c), u => clients.AddQueueServiceClient(u))
                .WithName(RawQueueMessages)
                .ConfigureOptions(options => options.MessageEncoding = QueueMessageEncoding.None);
            Add(storage.ConnectionString, storage.TableServiceUri, c => clients.AddTableServiceClient(c), u => clients.AddTableServiceClient(u));
        });
        return services;
    }

    /// <summary>A named blob service client: by connection string when given, else at the URI with the app's credential.</summary>
    public static IServiceCollection AddNamedBlobServiceClient(this IServiceCollection services, string name, string? connectionString, Uri serviceUri)
    {
        services.AddAzureClients(clients =>
            Add(string.IsNullOrEmpty(connectionString) ? null : connectionString, serviceUri, c => clients.AddBlobServiceClient(c), u => clients.AddBlobServiceClient(u))
                .WithName(name));
        return services;
    }

    private static IAzureClientBuilder<TClient, TOptions> Add<TClient, TOptions>(string? connectionString, Uri? serviceUri,
        Func<string, IAzureClientBuilder<TClient, TOptions>> byConnectionString, Func<Uri, IAzureClientBuilder<TClient, TOptions>> byServiceUri)
        where TOptions : class =>
        connectionString is not null ? byConnectionString(connectionString) : byServiceUri(serviceUri!);

    /// <summary>
    /// AzureWebJobsStorage's identity: with <c>__credential</c> managedidentity that identity alone, as the Functions
    /// host does; otherwise DefaultAzureCredential (environment, workload identity, managed identity with
    /// <c>__clientId</c>, developer tools), which is also what a blob model repository without a connection string uses.
    /// </summary>
    private static TokenCredential Credential(FunctionsStorageConnection? storage) =>
        storage is { ManagedIdentity: true }
            ? new ManagedIdentityCredential(storage.ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(storage.ClientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = storage?.ClientId });
}
