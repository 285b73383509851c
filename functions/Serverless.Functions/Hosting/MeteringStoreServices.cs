using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Metering;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Registers the metering stores Metering:Store names. <c>auto</c> picks Table storage when the function app's own
/// storage is configured (AzureWebJobsStorage as a connection string, or identity-based through
/// AzureWebJobsStorage__tableServiceUri / __accountName), else SQLite at &lt;Storage:DataDirectory&gt;/usage.db.
/// Either store takes usage records through the local journal (&lt;Storage:DataDirectory&gt;/usage-journal/&lt;host&gt;/) unless
/// Metering:Durability is strict, where every group commit goes to the store itself (a Table round trip, an SQLite fsync).
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
            services.AddSingleton<TableUsageStore>();
            services.AddSingleton<ICallerStore, TableCallerStore>();
            AddUsageStore<TableUsageStore>(services, configuration);
        }
        else
        {
            services.AddSingleton(sp => new SqliteMeteringDatabase(
                Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "usage.db")));
            services.AddSingleton<SqliteUsageStore>();
            AddUsageStore<SqliteUsageStore>(services, configuration);
            services.AddSingleton<ICallerStore, SqliteCallerStore>();
        }
    }

    /// <summary>
    /// The ledger's store: <typeparamref name="TDurable"/> itself with Metering:Durability strict (every group commit
    /// a Table round trip or an fsync), else the local journal in front of it. A call then waits for one local
    /// write() of its group's frame; the journal ships to the durable store within Metering:MaxCommitLagMilliseconds.
    /// </summary>
    /// <remarks>
    /// SQLite goes through the journal too: a SQLite transaction per call at one client cost ~100 us of CPU more than
    /// metering off (WAL frames, locks, the index pages), a journal frame is one write().
    /// </remarks>
    private static void AddUsageStore<TDurable>(IServiceCollection services, IConfiguration configuration) where TDurable : class, IUsageStore
    {
        if (Durability(configuration) == MeteringDurability.Strict)
        {
            services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<TDurable>());
            return;
        }
        services.AddSingleton(sp => new UsageJournal(
            UsageJournal.DirectoryFor(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory),
            sp.GetRequiredService<IOptions<MeteringOptions>>().Value.MaxJournalBytes,
            sp.GetRequiredService<ILogger<UsageJournal>>()));
        services.AddSingleton<IUsageStore>(sp => new JournaledUsageStore(sp.GetRequiredService<UsageJournal>(), sp.GetRequiredService<TDurable>()));
        // NOTE: before the ledger's own registration (MeteringServices): it must start first and stop last.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<UsageJournalShipper>(sp, sp.GetRequiredService<TDurable>()));
        services.AddHostedService(sp => sp.GetRequiredService<UsageJournalShipper>());
    }

    // Read here, like Metering:Store, because it decides the registrations; a bad value still fails options validation at start-up.
    private static MeteringDurability Durability(IConfiguration configuration) =>
        Enum.TryParse<MeteringDurability>(configuration[$"{MeteringOptions.Section}:Durability"], ignoreCase: true, out var durability)
            ? durability
            : new MeteringOptions().Durability;

    private static bool StorageConfigured(IConfiguration configuration) => FunctionsStorageConnection.From(configuration) is not null;

    private static TableServiceClient CreateTableService(IConfiguration configuration) =>
        (FunctionsStorageConnection.From(configuration)
            ?? throw new InvalidOperationException($"Metering:Store is table but {FunctionsStorageConnection.Setting} (or its identity-based __accountName / service URIs) is not set"))
        .TableService();
}
