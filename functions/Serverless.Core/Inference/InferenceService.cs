using System.Diagnostics;
using System.Globalization;
using Serverless.Core.Cache;

namespace Serverless.Core.Inference;

/// <summary>
/// One inference call by model name: lease the version (loading it if needed) and run the request through the
/// loaded model's one door (<see cref="LoadedModel.RunAsync(IReadOnlyList{InferenceTensor}, IReadOnlyList{string}, long, CancellationToken)"/>),
/// which validates, schedules and counts it. Protocol-neutral.
/// </summary>
public sealed class InferenceService(ModelCache cache)
{
    public async Task<InferenceResponse> InferAsync(string model, long? version, InferenceRequest request, CancellationToken cancellationToken = default)
    {
        // From here: a request that waits for its model's load has that wait counted as queue time.
        var arrived = Stopwatch.GetTimestamp();
        using var lease = await cache.AcquireAsync(model, version, cancellationToken);
        var loaded = lease.Graph;
        var run = await loaded.RunAsync(request.Inputs, request.RequestedOutputs, arrived, cancellationToken);
        return new InferenceResponse(loaded.Key.Name, loaded.Key.Version.ToString(CultureInfo.InvariantCulture), request.Id, run.Outputs)
        {
            ExecutionProvider = loaded.Session.ExecutionProvider.WireName(),
            Buffers = run.Buffers,
            ComputeTime = run.ComputeTime(BatchSize(request)),
            Key = loaded.Key,
            LoadedForThisCall = lease.LoadedForThisCall,
        };
    }

    /// <summary>Rows in a request: the first dimension of its first input (1 for rank-0 inputs).</summary>
    public static long BatchSize(InferenceRequest request) => LoadedModel.Rows(request.Inputs);
}
