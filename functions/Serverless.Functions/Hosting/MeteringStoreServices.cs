using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Metering;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Registers the metering stores Metering:Store names: Table storage in the AzureWebJobsStorage account, or SQLite at
/// &lt;Storage:DataDirectory&gt;/usage.db (auto: Table storage when that account is configured). Unless
/// Metering:Durability is strict, the usage store sits behind the local usage journal; what each mode promises is the
/// durability contract, docs/metering.md.
/// </summary>
public static class MeteringStoreServices
{
    public static IServiceCollection AddMeteringStores(this IServiceCollection services, MeteringOptions metering, FunctionsStorageConnection? storage)
    {
        if (metering.Store == MeteringStoreKind.Table || (metering.Store == MeteringStoreKind.Auto && storage is not null))
        {
            if (storage is null)
            {
                throw new OptionsValidationException(MeteringOptions.Section, typeof(MeteringOptions),
                    [$"Metering:Store is table but {FunctionsStorageConnection.Setting} (or its identity-based __accountName / service URIs) is not set"]);
            }
            services.AddSingleton(sp => new MeteringTables(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<MeteringOptions>>().Value.TablePrefix));
            services.AddSingleton<TableUsageStore>();
            services.AddSingleton<ICallerStore, TableCallerStore>();
            AddUsageStore<TableUsageStore>(services, metering.Durability);
        }
        else
        {
            services.AddSingleton(sp => new SqliteMeteringDatabase(
                Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "usage.db")));
            services.AddSingleton<SqliteUsageStore>();
            AddUsageStore<SqliteUsageStore>(services, metering.Durability);
            services.AddSingleton<ICallerStore, SqliteCallerStore>();
        }
        return services;
    }

    /// <summary>The ledger's store: <typeparamref name="TDurable"/> itself when strict, else the local journal in front of it.</summary>
    /// <remarks>
    /// SQLite goes through the journal too: a SQLite transaction per call at one client cost ~100 us of CPU more than
    /// metering off (WAL frames, locks, the index pages), a journal frame is one write().
    /// </remarks>
    private static void AddUsageStore<TDurable>(IServiceCollection services, MeteringDurability durability) where TDurable : class, IUsageStore
    {
        if (durability == MeteringDurability.Strict)
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
        services.AddSingleton<IReadinessCheck, UsageJournalReadiness>();
    }
}
