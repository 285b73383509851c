namespace Serverless.Core.Cache;

/// <summary>One model version's state for the repository index.</summary>
public sealed record ModelVersionState(string Name, long Version, ModelState State, string Reason);
