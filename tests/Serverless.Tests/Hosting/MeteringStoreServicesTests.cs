using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Infrastructure.Storage;
using Serverless.Core.Metering;
using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

public sealed class MeteringStoreServicesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-store-factory-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void AddMeteringStores_SqliteWithDefaultDurability_RecordsGoThroughTheJournal()
    {
        using var services = Build(durability: null);

        Assert.IsType<JournaledUsageStore>(services.GetRequiredService<IUsageStore>());
        Assert.Contains(services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is UsageJournalShipper);
    }

    [Fact]
    public void AddMeteringStores_SqliteStrict_RecordsGoStraightToTheDatabase()
    {
        using var services = Build(durability: "strict");

        Assert.IsType<SqliteUsageStore>(services.GetRequiredService<IUsageStore>());
        Assert.DoesNotContain(services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is UsageJournalShipper);
    }

    [Fact]
    public void AddMeteringStores_TableWithoutStorageAccount_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(durability: null, store: "table"));

        Assert.Contains("Metering:Store is table but AzureWebJobsStorage", error.Message);
    }

    private ServiceProvider Build(string? durability, string store = "sqlite")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Metering:Store"] = store,
            ["Metering:Durability"] = durability,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddSingleton<IConfiguration>(configuration);
        services.AddValidatedOptions<MeteringOptions, MeteringOptionsValidator>(MeteringOptions.Section);
        services.AddOptions<StorageOptions>().Configure(o => o.DataDirectory = _directory);
        services.AddMeteringStores(ValidatedOptions.Read<MeteringOptions, MeteringOptionsValidator>(configuration, MeteringOptions.Section), storage: null);
        return services.BuildServiceProvider();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
