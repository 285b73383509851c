using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// How a loaded model's requests reach its session, after Triton's schedulers: the <see cref="DynamicBatcher"/> when
/// config.json turns dynamic batching on, else <see cref="PassThroughScheduler"/>. The only callers of
/// <see cref="IModelSession.Run"/>.
/// </summary>
public interface IModelScheduler : IDisposable
{
    /// <summary>Runs that may be in the session at once (Triton's instance_group count).</summary>
    int InstanceCount { get; }

    /// <summary>Runs validated inputs; the outputs come back in the order of <paramref name="outputNames"/>.</summary>
    Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken);
}
