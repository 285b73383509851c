namespace Serverless.Core.Repository;

/// <summary>A model file on local disk, ready to open. <paramref name="ContentId"/> changes when the content does (ETag or hash).</summary>
public sealed record ModelFile(string Path, long Length, string ContentId);
