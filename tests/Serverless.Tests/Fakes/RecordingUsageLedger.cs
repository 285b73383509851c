using Serverless.Core.Metering;

namespace Serverless.Tests.Fakes;

/// <summary>A usage ledger that keeps what is appended, in order, so a test can read a call's one record.</summary>
internal sealed class RecordingUsageLedger : IUsageLedger
{
    private readonly List<UsageRecord> _records = [];

    public IReadOnlyList<UsageRecord> Records { get { lock (_records) { return _records.ToList(); } } }

    public Task AppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        lock (_records)
        {
            _records.Add(record);
        }
        return Task.CompletedTask;
    }
}
