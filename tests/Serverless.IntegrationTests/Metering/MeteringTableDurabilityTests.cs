using Serverless.Core.Infrastructure.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>
/// The Table store behind its local journal, the app as its own process killed (not stopped) while calls are in
/// flight: after a restart on the same data folder, every call that was answered 2xx has its usage record in the table.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MeteringTableDurabilityTests(AzuriteFixture azurite) : IDisposable
{
    private const int SuccessesBeforeKill = 300;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "serverless-table-durability-" + Guid.NewGuid().ToString("N"));
    private readonly string _prefix = "kill" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Infer_ProcessKilledWithCallsInFlight_EverySuccessHasItsTableRecordAfterRestart()
    {
        IReadOnlyCollection<string> succeeded;
        // A lag of a minute: what the killed process answered is still in its journal, so the restart must ship it.
        using (var app = await MeteringAppProcess.StartAsync(_dataDirectory, Settings("60000")))
        {
            succeeded = await app.CallUntilKilledAsync(SuccessesBeforeKill);
            Assert.True(app.Killed);
        }
        Assert.NotEmpty(Directory.GetFiles(UsageJournal.DirectoryFor(_dataDirectory), "*.journal"));

        using var restarted = await MeteringAppProcess.StartAsync(_dataDirectory, Settings("60000"));
        // The table itself, not the app's reports (which also read the journal): the restart shipped it before serving.
        var table = new TableUsageStore(new MeteringTables(new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString), _prefix));
        var recorded = await table.ReadAsync(new Serverless.Core.Metering.UsageQuery(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
            .Select(r => r.RequestId).ToListAsync();

        Assert.True(succeeded.Count >= SuccessesBeforeKill);
        var missing = succeeded.Where(id => !recorded.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {succeeded.Count} answered calls have no usage record: {string.Join(", ", missing.Take(10))}");
        Assert.Equal(recorded.Count, recorded.Distinct().Count());
        Assert.Empty(Directory.GetFiles(UsageJournal.DirectoryFor(_dataDirectory), "*.journal"));
    }

    private (string Key, string Value)[] Settings(string maxCommitLagMilliseconds) =>
    [
        ("Metering:Store", "table"),
        ("AzureWebJobsStorage", azurite.ConnectionString),
        ("Metering:TablePrefix", _prefix),
        ("Metering:MaxCommitLagMilliseconds", maxCommitLagMilliseconds),
    ];

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
