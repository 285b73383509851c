namespace Serverless.Core.Infrastructure.Storage;

/// <summary>One file of a remote model version: its path inside the version folder ('/' separated), size, ETag, and Content-MD5 where the store has one.</summary>
public sealed record RemoteModelFile(string RelativePath, long Length, string ETag, byte[]? ContentMd5);
