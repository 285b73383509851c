namespace Serverless.Core.Metering;

/// <summary>A group commit that failed for some or all of its records (a Table storage batch is per partition).</summary>
public sealed class UsageStoreException(string message, IReadOnlySet<string> failedRecordIds, Exception? inner = null) : Exception(message, inner)
{
    public IReadOnlySet<string> FailedRecordIds { get; } = failedRecordIds;
}
