using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// Every request runs at once on the caller's thread, concurrently with the others (ONNX Runtime sessions take
/// concurrent Runs): Triton's default scheduler, which is a batcher with batching off.
/// </summary>
public sealed class PassThroughScheduler(IModelSession session) : IModelScheduler
{
    public int InstanceCount => 1;

    public Task<SessionRunResult> RunAsync(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken) =>
        Task.FromResult(session.Run(inputs, outputNames));

    public void Dispose()
    {
    }
}
