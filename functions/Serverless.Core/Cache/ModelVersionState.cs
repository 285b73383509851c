namespace Serverless.Core.Cache;

/// <summary>One model version's state for the repository index.</summary>
/// <param name="Kind">Known once the version is loaded (the kind is its folder's).</param>
public sealed record ModelVersionState(string Name, long Version, ModelState State, string Reason, ModelKind? Kind = null);
