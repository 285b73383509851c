using Serverless.Core.Text.Generation;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>A chat completion, completion or Triton generate request as read: the protocol-neutral call and how to answer it.</summary>
/// <param name="Stream">Answer as Server-Sent Events, chunk by chunk as text is generated.</param>
/// <param name="IncludeUsage"><c>stream_options.include_usage</c>: a last chunk with <c>choices: []</c> and the call's <c>usage</c>.</param>
public sealed record GenerationCall(GenerationRequest Request, bool Stream, bool IncludeUsage);
