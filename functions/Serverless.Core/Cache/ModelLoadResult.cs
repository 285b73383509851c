using Serverless.Core.Repository;

namespace Serverless.Core.Cache;

/// <summary>What an explicit load did: loaded the version, loaded it again because its content changed, or kept it.</summary>
public sealed record ModelLoadResult(ModelKey Key, ModelLoadAction Action);
