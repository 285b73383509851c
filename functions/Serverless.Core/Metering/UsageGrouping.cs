namespace Serverless.Core.Metering;

public enum UsageGrouping
{
    None,

    /// <summary>By UTC day (yyyy-MM-dd).</summary>
    Day,

    Model,
}
