namespace Serverless.Core.Jobs;

/// <summary>Size and version of an input, read when planning (never its content).</summary>
public sealed record JobInputInfo(long Length, string? ETag);
