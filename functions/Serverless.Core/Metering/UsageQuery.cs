namespace Serverless.Core.Metering;

/// <summary>Which records a report or export covers: [From, To), optionally one caller and one model.</summary>
public sealed record UsageQuery(DateTimeOffset From, DateTimeOffset To, string? CallerId = null, string? Model = null);
