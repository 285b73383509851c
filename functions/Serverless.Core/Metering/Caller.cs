namespace Serverless.Core.Metering;

/// <summary>Someone who pays for calls: an id, the plan that limits them, and when they were registered.</summary>
public sealed record Caller(string Id, CallerPlan Plan, DateTimeOffset CreatedAt);
