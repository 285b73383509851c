namespace Serverless.Functions.Protocol.Http;

/// <summary>Where a finished job's output is: the folder, its manifest, and the error file when rows failed.</summary>
public sealed record JobOutputs(string Folder, string Manifest, string? Errors);
