namespace Serverless.Core.Jobs;

/// <summary>The record after an update, and whether this caller's change is the one that was written.</summary>
public sealed record JobUpdate(JobRecord Record, bool Changed);
