namespace Serverless.Functions.Protocol.Http;

/// <summary>Rows done so far (scored + failed); the total is known once every shard is done.</summary>
public sealed record JobRowProgress(long Done, long Scored, long Failed, long? Total);
