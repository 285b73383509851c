using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;
using Serverless.Core.Metering.Errors;

namespace Serverless.Tests.Metering.Infrastructure;

/// <summary>The local usage journal and its shipper, against an in-memory table.</summary>
public sealed class UsageJournalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serverless-journal-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void WarmUp_RecordWithEveryFieldSet_RoundTripsThroughAFrameWithoutThrowing()
    {
        // It runs unobserved on the thread pool at start-up, so a record it could not round-trip would go unnoticed.
        Assert.Null(Record.Exception(UsageJournal.WarmUp));
    }

    [Fact]
    public async Task Open_LastFrameTorn_DropsItAndShipsTheFramesBefore()
    {
        var kept = Group("kept", 3);
        using (var journal = Open())
        {
            journal.Append(kept);
            journal.Append(Group("torn", 2));
        }
        // A process killed mid-write: the last frame lost its end.
        var segment = Directory.GetFiles(_directory, "*.journal").Single();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        var table = new MemoryTable();
        using (var journal = Open())
        {
            await Shipper(journal, table).ShipAsync();
        }

        Assert.Equal(kept.Select(r => r.Id), table.Groups.Single().Select(r => r.Id));
    }

    [Fact]
    public async Task ShipAsync_SegmentsFromSeveralRuns_ShipsThemInOrderAndDeletesThem()
    {
        var first = Group("first", 2);
        var second = Group("second", 2);
        var third = Group("third", 2);
        using (var journal = Open())
        {
            journal.Append(first);
        }
        using (var journal = Open())
        {
            journal.Append(second);
            journal.Append(third);
        }

        var table = new MemoryTable();
        using (var journal = Open())
        {
            await Shipper(journal, table).ShipAsync();
            Assert.Equal(0, journal.Bytes);
        }

        Assert.Equal([first.Select(r => r.Id), second.Concat(third).Select(r => r.Id)], table.Groups.Select(g => g.Select(r => r.Id)));
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    [Fact]
    public async Task ShipAsync_TableFails_KeepsTheRecordsForTheNextShip()
    {
        var records = Group("outage", 4);
        var table = new MemoryTable { Failing = true };
        using var journal = Open();
        var shipper = Shipper(journal, table);
        journal.Append(records);

        await Assert.ThrowsAsync<UsageStoreException>(() => shipper.ShipAsync());
        Assert.True(journal.Bytes > 0);
        table.Failing = false;
        await shipper.ShipAsync();

        Assert.Equal(records.Select(r => r.Id), table.Groups.Single().Select(r => r.Id));
        Assert.Equal(0, journal.Bytes);
    }

    [Fact]
    public async Task AppendAsync_JournalFull_LedgerAnswers503WithRetryAfterAndKeepsWhatItHas()
    {
        using var journal = Open(maxBytes: 1024 * 1024);
        var store = new JournaledUsageStore(journal, new MemoryTable { Failing = true });
        var ledger = new UsageLedger(store, Options.Create(new MeteringOptions()), UsageRecords.Metrics(), NullLogger<UsageLedger>.Instance);
        await ledger.StartAsync(CancellationToken.None);
        // Long request ids: a few thousand records fill the 1 MiB journal.
        var request = new string('x', UsageRecord.MaxTextLength);

        UsageLedgerUnavailableException? refused = null;
        var written = 0;
        // Bounded, so a journal that never fills fails the test instead of hanging it.
        while (refused is null && written < 100_000)
        {
            try
            {
                await ledger.AppendAsync(UsageRecords.Success("acme", "m", request));
                written++;
            }
            catch (UsageLedgerUnavailableException e)
            {
                refused = e;
            }
        }
        await ledger.StopAsync(CancellationToken.None);

        Assert.NotNull(refused);
        Assert.Equal(503, refused.StatusCode);
        Assert.Equal(1, refused.RetryAfterSeconds);
        Assert.Contains("Metering:MaxJournalBytes", refused.Message);
        Assert.Equal(written, journal.ReadUnshipped().Count);
    }

    [Fact]
    public async Task ShipAsync_SegmentWrittenByThisProcess_ShipsItsRecordsWithoutReadingTheFileBack()
    {
        // Every field set, so a copy that differed from what the frame holds would show.
        var records = new List<UsageRecord>
        {
            UsageRecords.Success("acme", "m", "tensor", cost: 0.000010m),
            UsageRecords.Success("acme", "encoder", "text", inputTokens: 12, outputTokens: 3) with { KeyId = null, ComputeSeconds = 1.0 / 3 },
        };
        var table = new MemoryTable();
        using var journal = Open();
        journal.Append(records);
        journal.Seal();
        // The file's bytes are gone: only the copy kept in memory can ship them.
        File.WriteAllBytes(Directory.GetFiles(_directory, "*.journal").Single(), []);

        await Shipper(journal, table).ShipAsync();

        Assert.Equal(records, table.Groups.Single());
        Assert.Equal(0, journal.Bytes);
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    [Fact]
    public async Task ShipAsync_OutageLongerThanTheCopiesKeptInMemory_ShipsEveryRecordOnceInOrder()
    {
        // A 1 MiB journal has 128 KiB segments and keeps copies of two of them: this outage writes about eight.
        using var journal = Open(maxBytes: 1024 * 1024);
        var table = new MemoryTable { Failing = true };
        var shipper = Shipper(journal, table);
        var request = new string('x', UsageRecord.MaxTextLength);
        var groups = Enumerable.Range(0, 400).Select(g => Enumerable.Range(0, 5).Select(i => UsageRecords.Success("acme", "m", $"{g}-{i}-{request}")).ToList()).ToList();
        foreach (var group in groups)
        {
            journal.Append(group);
        }
        await Assert.ThrowsAsync<UsageStoreException>(() => shipper.ShipAsync());
        Assert.True(journal.Sealed().Count > 4);

        table.Failing = false;
        await shipper.ShipAsync();

        Assert.Equal(groups.SelectMany(g => g), table.Groups.SelectMany(g => g));
        Assert.Equal(0, journal.Bytes);
    }

    [Fact]
    public async Task ShipAsync_ProcessRestartedAfterAppends_ShipsTheRecordsFromItsFiles()
    {
        // The copies in memory die with the process; the files are what the next run ships.
        var records = Group("before-crash", 3);
        using (var crashed = Open())
        {
            crashed.Append(records);
            crashed.Seal();
        }

        var table = new MemoryTable();
        using (var restarted = Open())
        {
            await Shipper(restarted, table).ShipAsync();
        }

        Assert.Equal(records, table.Groups.Single());
    }

    [Fact]
    public async Task ReadAsync_RecordsInJournalAndTable_ReadsEachOnce()
    {
        var shipped = Group("shipped", 2);
        var waiting = Group("waiting", 3);
        var table = new MemoryTable();
        using var journal = Open();
        var store = new JournaledUsageStore(journal, table);
        journal.Append(shipped);
        await Shipper(journal, table).ShipAsync();
        journal.Append(waiting);
        // As if a ship were under way: the table already has a record the journal still holds.
        table.Groups.Add([waiting[0]]);

        var read = await store.ReadAsync(new UsageQuery(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, "acme")).ToListAsync();

        Assert.Equal(shipped.Concat(waiting).Select(r => r.Id).Order(), read.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task CountBilledAsync_LastRunsRecordsNotYetShipped_WaitsForTheStartUpShip()
    {
        using (var crashed = Open())
        {
            crashed.Append(Group("left", 3));
        }
        var table = new MemoryTable();
        using var journal = Open();
        var store = new JournaledUsageStore(journal, table);
        using var shipper = Shipper(journal, table);

        var count = store.CountBilledAsync("acme", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, QuotaMeasure.Calls);
        Assert.False(count.IsCompleted);
        await shipper.StartAsync(CancellationToken.None);

        Assert.Equal(3, await count);
        await shipper.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StartAsync_StoreRefusesTheLastRunsRecords_StartsNotShippedAndShipsOnALaterTick()
    {
        using (var crashed = Open())
        {
            crashed.Append(Group("left", 3));
        }
        var table = new MemoryTable { Failing = true };
        using var journal = Open();
        var store = new JournaledUsageStore(journal, table);
        var time = new FakeTimeProvider();
        using var shipper = Shipper(journal, table, time);

        // A failed start would restart the process into the same failure (a full disk): it starts, not shipped.
        await shipper.StartAsync(CancellationToken.None);

        Assert.Equal("the usage store did not take the usage records left by the last run yet; retry later", journal.LeftoversNotShippedReason);
        // A month's count from a store without them would seed the quota short: refused at once, not awaited.
        var refused = await Assert.ThrowsAsync<UsageLedgerUnavailableException>(() => store.CountBilledAsync("acme", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, QuotaMeasure.Calls));
        Assert.Equal(503, refused.StatusCode);

        table.Failing = false;
        time.Advance(TimeSpan.FromMilliseconds(new MeteringOptions().MaxCommitLagMilliseconds));
        await journal.LeftoversShipped.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(journal.LeftoversNotShippedReason);
        Assert.Equal(3, await store.CountBilledAsync("acme", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, QuotaMeasure.Calls));
        await shipper.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StartAsync_StoresDiskFull_SaysSoInProductTerms()
    {
        using (var crashed = Open())
        {
            crashed.Append(Group("left", 1));
        }
        var full = new Mock<IUsageStore>();
        full.Setup(s => s.AppendAsync(It.IsAny<IReadOnlyList<UsageRecord>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new UsageStoreException("SQLite /home/site/data/usage.db: SQLite Error 13: 'database or disk is full'.", new HashSet<string>(),
                new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)));
        using var journal = Open();
        using var shipper = Shipper(journal, full.Object);

        await shipper.StartAsync(CancellationToken.None);

        Assert.Equal("the server's data disk is full: usage records left by the last run cannot be stored yet; retry later", journal.LeftoversNotShippedReason);
        await shipper.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TokenRecord_ProcessRestartedBeforeItWasShipped_ReachesTheStoreWithItsTokens()
    {
        var text = UsageRecords.Success("acme", "encoder", "embed-1", inputTokens: 1234, outputTokens: 56);
        using (var crashed = Open())
        {
            crashed.Append([text]);
        }

        var table = new MemoryTable();
        using (var restarted = Open())
        {
            Assert.Equal((1234L, 56L), (restarted.ReadUnshipped().Single().InputTokens, restarted.ReadUnshipped().Single().OutputTokens));
            await Shipper(restarted, table).ShipAsync();
        }

        Assert.Equal(text, table.Groups.Single().Single());
    }

    [Fact]
    public void Open_SegmentWrittenBeforeTokensWereMetered_ReadsItsRecordsWithNoTokens()
    {
        // A frame as the journal wrote it before records had tokens: the same header, a record without the two fields.
        var payload = Encoding.UTF8.GetBytes("""
            {"id":"0190a1b2c3d4e5f6a7b8c9d0e1f20304","request_id":"old-1","caller_id":"acme","key_id":"key_test","model":"m","version":1,"time":"2025-06-01T10:00:00+00:00","rows":2,"input_bytes":100,"compute_seconds":0.001,"execution_provider":"CPUExecutionProvider","status":200,"outcome":"Success","cost":0.01}
            """);
        var frame = new byte[UsageJournalFrame.HeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 0x31464A55);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), Crc32.HashToUInt32(payload));
        payload.CopyTo(frame, UsageJournalFrame.HeaderBytes);
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(Path.Combine(_directory, "000000000000.journal"), frame);

        using var journal = Open();

        var record = Assert.Single(journal.ReadUnshipped());
        Assert.Equal(("old-1", 2L, 0.01m, 0L, 0L), (record.RequestId, record.Rows, record.Cost, record.InputTokens, record.OutputTokens));
    }

    [Fact]
    public void Encode_TensorRecord_LeavesTheTokensOutAndATextRecordKeepsThem()
    {
        var tensor = UsageRecords.Success("acme", "m", "tensor");
        var text = UsageRecords.Success("acme", "encoder", "text", inputTokens: 7, outputTokens: 3);

        var packed = Encoding.UTF8.GetString(UsageJournalFrame.Encode([tensor, text]).WrittenSpan[UsageJournalFrame.HeaderBytes..]);

        Assert.Equal(1, packed.Split("\"input_tokens\":7").Length - 1);
        Assert.Equal(1, packed.Split("\"input_tokens\"").Length - 1);
        Assert.Equal([tensor, text], UsageJournalFrame.Decode(UsageJournalFrame.Encode([tensor, text]).WrittenSpan, out _));
    }

    [Fact]
    public void Open_JournalInUseByAnotherOpen_Throws()
    {
        using var journal = Open();

        var error = Assert.Throws<InvalidOperationException>(() => Open());

        Assert.Contains("Storage:DataDirectory", error.Message);
    }

    private UsageJournal Open(long maxBytes = 64 * 1024 * 1024) => new(_directory, maxBytes, NullLogger<UsageJournal>.Instance);

    private static UsageJournalShipper Shipper(UsageJournal journal, IUsageStore table, TimeProvider? time = null) =>
        new(journal, table, Options.Create(new MeteringOptions()), time ?? TimeProvider.System, NullLogger<UsageJournalShipper>.Instance);

    private static List<UsageRecord> Group(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => UsageRecords.Success("acme", "m", $"{prefix}-{i}")).ToList();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Table storage in memory: the groups it was given, in order; fails every append while told to.</summary>
    private sealed class MemoryTable : IUsageStore
    {
        public List<List<UsageRecord>> Groups { get; } = [];

        public bool Failing { get; set; }

        public Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
        {
            if (Failing)
            {
                return Task.FromException(new UsageStoreException("table unreachable", records.Select(r => r.Id).ToHashSet()));
            }
            Groups.Add([.. records]);
            return Task.CompletedTask;
        }

        public IAsyncEnumerable<UsageRecord> ReadAsync(UsageQuery query, CancellationToken cancellationToken = default) =>
            Groups.SelectMany(g => g).Where(r => query.CallerId is null || r.CallerId == query.CallerId).ToAsyncEnumerable();

        public Task<long> CountBilledAsync(string callerId, DateTimeOffset from, DateTimeOffset to, QuotaMeasure measure, CancellationToken cancellationToken = default) =>
            Task.FromResult((long)Groups.SelectMany(g => g).Count(r => r.CallerId == callerId));
    }
}
