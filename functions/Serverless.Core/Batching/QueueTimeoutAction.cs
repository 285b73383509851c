using System.Text.Json.Serialization;

namespace Serverless.Core.Batching;

/// <summary>What a request past its queue timeout gets (config.json <c>dynamic_batching.timeout_action</c>, Triton's names).</summary>
[JsonConverter(typeof(QueueTimeoutActionJsonConverter))]
public enum QueueTimeoutAction
{
    /// <summary>A 503 instead of a run.</summary>
    Reject,

    /// <summary>Run it anyway.</summary>
    Delay,
}
