namespace Serverless.Core.Text.Generation;

/// <summary>Why a generation ended: an end-of-sequence token or a stop string (<c>stop</c>), or <c>max_tokens</c> or the context length (<c>length</c>).</summary>
public enum FinishReason
{
    Stop,
    Length,
}
