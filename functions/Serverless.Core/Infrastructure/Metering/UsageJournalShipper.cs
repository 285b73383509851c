using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// Moves the usage journal into the usage store: at start-up, before anything is served (what a crashed process left);
/// then every half Metering:MaxCommitLagMilliseconds (the open segment is sealed and every sealed segment shipped, so a
/// record reaches the store within the lag while the store answers); at shutdown, after the ledger has drained,
/// everything, leaving an empty journal. The durability contract this keeps: docs/metering.md.
/// </summary>
/// <remarks>
/// Registered before the <see cref="UsageLedger"/>: hosted services start in order and stop in reverse, so the ledger
/// writes nothing before the leftovers are shipped and has drained into the journal before the last ship.
/// A segment is shipped whole, as one group of the store, and deleted only once the store has it: a crash in between
/// ships the same segment again, which writes the same records again (the Table store names an entity after its first
/// and last record; SQLite replaces rows by record id), so no record is counted twice.
/// </remarks>
/// <param name="store">The durable store: <see cref="TableUsageStore"/> or <see cref="SqliteUsageStore"/>.</param>
public sealed class UsageJournalShipper(UsageJournal journal, IUsageStore store, IOptions<MeteringOptions> options, TimeProvider time,
    ILogger<UsageJournalShipper> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _shipping = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private long _leftover;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _leftover = journal.Bytes;
        try
        {
            await ShipAsync(cancellationToken);
            LeftoversShipped();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not a failed start: a process that dies here (a full disk, a store outage) is restarted into the same
            // failure. It serves, not ready (the probe says why), the ticks retry the ship, and until one succeeds the
            // calls that need a month's count from the store are refused (JournaledUsageStore), so nothing is seeded
            // from a store without these records; calls are still recorded into the journal, behind the leftovers.
            // The reason is public (readiness is open to anyone): the store's own error goes to the log only.
            journal.MarkLeftoversNotShipped(DataDiskFailure.Is(e)
                ? DataDiskFailure.Message(e, "usage records left by the last run cannot be stored yet")
                : "the usage store did not take the usage records left by the last run yet; retry later");
            logger.LogError(e, "The usage journal {Directory} holds {Bytes} bytes that the usage store did not take; not ready until it does, retrying",
                journal.Directory, journal.Bytes);
        }
        _loop = RunAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        try
        {
            await ShipAsync(cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Stopping with {Bytes} bytes of usage records in the journal {Directory}: shipped when an instance starts on it again",
                journal.Bytes, journal.Directory);
        }
    }

    /// <summary>Seals the open segment and ships every sealed one, oldest first; stops at the first that fails.</summary>
    public async Task ShipAsync(CancellationToken cancellationToken = default)
    {
        await _shipping.WaitAsync(cancellationToken);
        try
        {
            journal.EnsureOpen();
            journal.Seal();
            foreach (var segment in journal.Sealed())
            {
                var records = UsageJournal.Read(segment);
                if (records.Count > 0)
                {
                    await store.AppendAsync(records, cancellationToken);
                }
                journal.Delete(segment);
            }
        }
        finally
        {
            _shipping.Release();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.MaxCommitLagMilliseconds / 2.0), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                if (journal.LeftoversShipped.IsCompleted && !journal.HasOpenFrames && journal.Bytes == 0)
                {
                    continue;
                }
                try
                {
                    await ShipAsync(stopping);
                    LeftoversShipped();
                }
                catch (Exception e)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        break; // StopAsync ships what this ship did not
                    }
                    // The records stay on disk (up to Metering:MaxJournalBytes) and go with the next tick's ship.
                    logger.LogWarning(e, "Shipping usage records to the usage store failed; {Bytes} bytes wait in the journal", journal.Bytes);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void LeftoversShipped()
    {
        if (journal.LeftoversShipped.IsCompleted)
        {
            return;
        }
        journal.MarkLeftoversShipped();
        if (_leftover > 0)
        {
            logger.LogWarning("Shipped {Bytes} bytes of usage records left in the journal by the last run", _leftover);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _shipping.Dispose();
    }
}
