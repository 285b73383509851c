using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;

namespace Serverless.Tests.Metering;

/// <summary>
/// The app as its own process, killed (not stopped) while calls are in flight: after a restart on the same data
/// folder, every call that was answered 2xx has its usage record.
/// </summary>
public sealed class MeteringDurabilityTests : IDisposable
{
    private const int SuccessesBeforeKill = 300;
    private static readonly (string Key, string Value)[] Settings = [("Metering:Store", "sqlite"), ("Metering:MaxCommitLagMilliseconds", "60000")];
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "serverless-durability-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Infer_ProcessKilledWithCallsInFlight_EverySuccessHasItsRecordAfterRestart()
    {
        IReadOnlyCollection<string> succeeded;
        // A lag of a minute: what the killed process answered is still in its journal, so the restart must ship it.
        using (var app = await MeteringAppProcess.StartAsync(_dataDirectory, Settings))
        {
            succeeded = await app.CallUntilKilledAsync(SuccessesBeforeKill);
            Assert.True(app.Killed);
        }

        using var restarted = await MeteringAppProcess.StartAsync(_dataDirectory, Settings);
        var export = await MeteredApi.GetTextAsync(restarted.Client, "/usage/export", MeteredApi.AdminKey);
        var recorded = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Where(line => line.Contains(",success,", StringComparison.Ordinal))
            .Select(line => line.Split(',')[1]).ToHashSet();

        Assert.True(succeeded.Count >= SuccessesBeforeKill);
        var missing = succeeded.Where(id => !recorded.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {succeeded.Count} answered calls have no usage record: {string.Join(", ", missing.Take(10))}");
        // The database itself, not the app's reports (which also read the journal): the restart shipped it before serving.
        var database = new SqliteUsageStore(new SqliteMeteringDatabase(Path.Combine(_dataDirectory, "usage.db")));
        var stored = await database.ReadAsync(new UsageQuery(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
            .Select(r => r.RequestId).ToHashSetAsync();
        var notShipped = succeeded.Count(id => !stored.Contains(id));
        Assert.True(notShipped == 0, $"{notShipped} answered calls are in no usage.db row after the restart");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
