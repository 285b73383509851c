using Azure.Data.Tables;
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
            services.AddSingleton(sp =>
            {
                var metering = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeteringOptions>>().Value;
                return new SqliteMeteringDatabase(
                    Path.Combine(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.DataDirectory, "usage.db"),
                    metering.Durability, TimeSpan.FromMilliseconds(metering.MaxCommitLagMilliseconds));
            });
            services.AddSingleton<SqliteUsageStore>();
            services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<SqliteUsageStore>());
            services.AddSingleton<ICallerStore, SqliteCallerStore>();
        }
    }

    private static bool StorageConfigured(IConfiguration configuration) => FunctionsStorageConnection.From(configuration) is not null;

    private static TableServiceClient CreateTableService(IConfiguration configuration) =>
        (FunctionsStorageConnection.From(configuration)
            ?? throw new InvalidOperationException($"Metering:Store is table but {FunctionsStorageConnection.Setting} (or its identity-based __accountName / service URIs) is not set"))
        .TableService();
}
