using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Errors;
using Serverless.Core.Infrastructure.Metering;
using Serverless.Core.Metering;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Metering;

/// <summary>The usage journal on a data disk that fills up for real (a small tmpfs).</summary>
public sealed class UsageJournalDiskFullTests
{
    private const int FailedAppends = 1000;

    [WithSmallDiskFact]
    public void Append_DiskFull_FailedWritesKeepToOneSegmentAndLoseNoWrittenFrame()
    {
        using var disk = SmallDisk.Mount(256);
        var directory = Path.Combine(disk.Path, UsageJournal.FolderName);
        using var journal = new UsageJournal(directory, 64 * 1024 * 1024, NullLogger<UsageJournal>.Instance);
        List<string> written = [];
        Append(journal, Group("before", 3), written);
        disk.Fill();

        // The open segment's last page may take a few more frames before a write fails.
        var failed = 0;
        for (var i = 0; i < FailedAppends + 100 && failed < FailedAppends; i++)
        {
            try
            {
                Append(journal, Group($"full-{i}", 3), written);
            }
            catch (IOException e) when (DataDiskFailure.Is(e))
            {
                failed++;
            }
        }
        var segments = Directory.GetFiles(directory, "*.journal");
        disk.Free();
        Append(journal, Group("after", 2), written);

        Assert.Equal(FailedAppends, failed);
        // Each failed write opened a segment of its own: a thousand files.
        Assert.Single(segments);
        // Every frame whose write returned is read back, the ones after the failures included (none torn in between).
        Assert.Equal(written, journal.ReadUnshipped().Select(r => r.Id));
    }

    private static void Append(UsageJournal journal, List<UsageRecord> group, List<string> written)
    {
        journal.Append(group);
        written.AddRange(group.Select(r => r.Id));
    }

    private static List<UsageRecord> Group(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => UsageRecords.Success("acme", "m", $"{prefix}-{i}")).ToList();
}
