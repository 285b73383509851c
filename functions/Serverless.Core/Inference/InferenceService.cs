using System.Diagnostics;
using System.Runtime.CompilerServices;
using Serverless.Core.Cache;
using Serverless.Core.Errors;

namespace Serverless.Core.Inference;

/// <summary>
/// The inference path: lease the model (loading it if needed), validate the request against it, run it,
/// and keep the statistics. Protocol-neutral: both HTTP and batch scoring call it.
/// </summary>
public sealed class InferenceService(ModelCache cache, InferenceStatistics statistics)
{
    public async Task<InferenceResponse> InferAsync(string model, long? version, InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        using var lease = await cache.AcquireAsync(model, version, cancellationToken);
        var loaded = lease.Model;
        var stats = statistics.For(loaded.Key);
        var queueTicks = Stopwatch.GetTimestamp() - started;
        try
        {
            InferenceInputValidator.Validate(model, loaded.Session, request, loaded.Config.MaxBatchSize);
            var outputNames = request.RequestedOutputs.Count > 0 ? request.RequestedOutputs : AllOutputNames(loaded.Session);
            var run = loaded.Batcher is { } batcher
                ? await batcher.RunAsync(request.Inputs, outputNames, cancellationToken)
                : loaded.Session.Run(request.Inputs, outputNames);
            stats.RecordSuccess(Stopwatch.GetTimestamp() - started, queueTicks + run.QueueTicks, run, BatchSize(request));
            return new InferenceResponse(loaded.Key.Name, loaded.Key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Id, run.Outputs)
            {
                ExecutionProvider = loaded.Session.ExecutionProvider,
                Buffers = run.Buffers,
                ComputeTime = run.ComputeTime(BatchSize(request)),
            };
        }
        catch (ServerlessException)
        {
            stats.RecordFailure(Stopwatch.GetTimestamp() - started);
            throw;
        }
    }

    // Every output, in the model's order: computed once per session rather than once per request.
    private static readonly ConditionalWeakTable<IModelSession, string[]> OutputNames = new();

    private static string[] AllOutputNames(IModelSession session) =>
        OutputNames.GetValue(session, static s =>
        {
            var names = new string[s.Outputs.Count];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = s.Outputs[i].Name;
            }
            return names;
        });

    /// <summary>Rows in a request: the first dimension of its first input (1 for rank-0 inputs).</summary>
    public static long BatchSize(InferenceRequest request) =>
        request.Inputs.Count > 0 && request.Inputs[0].Shape.Length > 0 ? request.Inputs[0].Shape[0] : 1;
}
