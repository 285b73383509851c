namespace Serverless.Core.Infrastructure.Jobs;

/// <summary>A message on the in-process queue, with the attempt it is on.</summary>
public sealed record ChannelJobMessage(string Id, byte[] Body, long DequeueCount);
