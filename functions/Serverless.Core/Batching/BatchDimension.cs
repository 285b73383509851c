using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// Whether a graph's tensors all lead with a batch dimension: every input and output has a dynamic first dimension.
/// The one rule behind both the dynamic batcher (requests merge along it) and Triton's <c>max_batch_size</c> in
/// /config (dims leave it out).
/// </summary>
public static class BatchDimension
{
    public static bool LeadsEveryTensor(IModelSession session) =>
        session.Inputs.All(t => t.Shape.Length > 0 && t.Shape[0] < 0)
        && session.Outputs.All(t => t.Shape.Length > 0 && t.Shape[0] < 0);
}
