using Azure.Data.Tables;
using Azure.Identity;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Metering;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Registers the metering stores Metering:Store names. <c>auto</c> picks Table storage when the function app's own
/// storage is configured (AzureWebJobsStorage as a connection string, or identity-based through
/// AzureWebJobsStorage__tableServiceUri / __accountName), else SQLite at &lt;Storage:DataDirectory&gt;/usage.db.
/// </summary>
public static class MeteringStoreFactory
{
    public const string StorageSetting = "AzureWebJobsStorage";

    public static bool UsesTableStorage(IConfiguration configuration)
    {
        var store = configuration[$"{MeteringOptions.Section}:Store"] ?? "auto";
        return store.Equals("table", StringComparison.OrdinalIgnoreCase)
            || (store.Equals("auto", StringComparison.OrdinalIgnoreCase) && StorageConfigured(configuration));
    }

    public static void AddMeteringStores(IServiceCollection services, IConfiguration configuration)
    {
        if (UsesTableStorage(configuration))
        {
            services.AddSingleton(sp => new MeteringTables(CreateTableService(configuration),
                configuration[$"{MeteringOptions.Section}:TablePrefix"] ?? new MeteringOptions().TablePrefix));
            services.AddSingleton<IUsageStore, TableUsageStore>();
            services.AddSingleton<ICallerStore, TableCallerStore>();
        }
        else
        {
            services.AddSingleton(sp => new SqliteMeteringDatabase(
                Path.Combine(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.DataDirectory, "usage.db")));
            services.AddSingleton<SqliteUsageStore>();
            services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<SqliteUsageStore>());
            services.AddSingleton<ICallerStore, SqliteCallerStore>();
        }
    }

    private static bool StorageConfigured(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[StorageSetting])
        || !string.IsNullOrEmpty(configuration[$"{StorageSetting}:tableServiceUri"])
        || !string.IsNullOrEmpty(configuration[$"{StorageSetting}:accountName"]);

    private static TableServiceClient CreateTableService(IConfiguration configuration)
    {
        if (configuration[StorageSetting] is { Length: > 0 } connectionString)
        {
            return new TableServiceClient(connectionString);
        }
        var uri = configuration[$"{StorageSetting}:tableServiceUri"] is { Length: > 0 } tableUri
            ? new Uri(tableUri)
            : configuration[$"{StorageSetting}:accountName"] is { Length: > 0 } account
                ? new Uri($"https://{account}.table.core.windows.net")
                : throw new InvalidOperationException($"Metering:Store is table but {StorageSetting} (or {StorageSetting}__tableServiceUri / __accountName) is not set");
        // The same identity settings the Functions host reads: a user-assigned identity names its client id.
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration[$"{StorageSetting}:clientId"] });
        return new TableServiceClient(uri, credential);
    }
}
