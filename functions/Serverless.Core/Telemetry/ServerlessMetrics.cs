using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Core.Telemetry;

/// <summary>
/// Every instrument of the service, on one meter that OpenTelemetry exports (Prometheus at /metrics, Azure Monitor).
/// Durations are in seconds, as the OpenTelemetry semantic conventions ask. Model load, eviction and loaded bytes
/// come from the registry as one of its observers, so the registry knows nothing about telemetry. A call's model label is its name
/// only once the repository is known to have that model (<see cref="UnknownModel"/> otherwise): names in URLs are the
/// caller's to invent, and every distinct label is a series kept for the life of the process (5,000 invented names
/// filled the series limit; 1,750 unauthenticated 8 KB names made /metrics 122 MB, then a 500 on every scrape).
/// </summary>
public sealed class ServerlessMetrics : IModelLifecycleObserver
{
    public const string MeterName = "Serverless";

    /// <summary>The one label for every model name the repository does not have.</summary>
    public const string UnknownModel = "unknown";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _queueDuration;
    private readonly Histogram<double> _computeDuration;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _modelLoads;
    private readonly Histogram<double> _modelLoadDuration;
    private readonly Counter<long> _modelEvictions;
    private readonly Histogram<double> _ledgerFlushDuration;
    private readonly Histogram<long> _ledgerFlushRecords;
    private readonly Counter<long> _batchRows;
    private readonly Histogram<double> _shardDuration;
    private readonly ModelVersionIndex _models;
    // Loaded bytes as the registry's loads and unloads add and take them (each load is unloaded once).
    private long _loadedBytes;

    public ServerlessMetrics(IMeterFactory meterFactory, ModelVersionIndex models)
    {
        _models = models;
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("serverless.requests", "{request}", "Inference calls, by model and HTTP status");
        _requestDuration = meter.CreateHistogram<double>("serverless.request.duration", "s", "Inference call latency, by model and HTTP status");
        _queueDuration = meter.CreateHistogram<double>("serverless.queue.duration", "s", "Time a call waited for its model's concurrency slot");
        _computeDuration = meter.CreateHistogram<double>("serverless.compute.duration", "s", "Time a call spent in the model (lease, validation, run)");
        _rejected = meter.CreateCounter<long>("serverless.requests.rejected", "{request}", "Calls refused before running, by reason");
        _cacheHits = meter.CreateCounter<long>("serverless.model.cache.hits", "{request}", "Calls whose model version was already loaded");
        _cacheMisses = meter.CreateCounter<long>("serverless.model.cache.misses", "{request}", "Calls that found their model version not loaded");
        _modelLoads = meter.CreateCounter<long>("serverless.model.loads", "{load}", "Model versions loaded");
        _modelLoadDuration = meter.CreateHistogram<double>("serverless.model.load.duration", "s", "Time to fetch, open and warm up a model version");
        _modelEvictions = meter.CreateCounter<long>("serverless.model.evictions", "{eviction}", "Model versions evicted to stay within Models:MaxLoadedBytes");
        meter.CreateObservableGauge("serverless.model.loaded_bytes", () => Interlocked.Read(ref _loadedBytes), "By", "Bytes of loaded model versions");
        _ledgerFlushDuration = meter.CreateHistogram<double>("serverless.usage.flush.duration", "s", "Time to commit one group of usage records");
        _ledgerFlushRecords = meter.CreateHistogram<long>("serverless.usage.flush.records", "{record}", "Usage records per group commit");
        _batchRows = meter.CreateCounter<long>("serverless.batch.rows", "{row}", "Rows scored by batch jobs, by model");
        _shardDuration = meter.CreateHistogram<double>("serverless.batch.shard.duration", "s", "Time to score one batch shard, by model and outcome");
    }

    public void ModelLoaded(ILoadedModel model)
    {
        var tag = new KeyValuePair<string, object?>("model", model.Key.Name);
        Interlocked.Add(ref _loadedBytes, model.SizeBytes);
        _modelLoads.Add(1, tag);
        _modelLoadDuration.Record(model.LoadTime.TotalSeconds, tag);
    }

    public void ModelUnloaded(ILoadedModel model, ModelUnloadReason reason)
    {
        Interlocked.Add(ref _loadedBytes, -model.SizeBytes);
        if (reason == ModelUnloadReason.Evicted)
        {
            _modelEvictions.Add(1, new KeyValuePair<string, object?>("model", model.Key.Name));
        }
    }

    public void RecordRequest(string model, int status, TimeSpan duration)
    {
        var tags = new TagList { { "model", Label(model) }, { "status", status } };
        _requests.Add(1, tags);
        _requestDuration.Record(duration.TotalSeconds, tags);
    }

    public void RecordQueue(string model, TimeSpan waited) => _queueDuration.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("model", Label(model)));

    public void RecordCompute(string model, TimeSpan compute) => _computeDuration.Record(compute.TotalSeconds, new KeyValuePair<string, object?>("model", Label(model)));

    /// <param name="reason">unauthorized, rate_limited, quota_exceeded or saturated.</param>
    public void RecordRejected(string model, string reason) => _rejected.Add(1, new TagList { { "model", Label(model) }, { "reason", reason } });

    /// <summary>Known names are valid model names, so a label is at most ModelName.MaxLength (128) characters.</summary>
    private string Label(string model) => _models.IsKnown(model) ? model : UnknownModel;

    /// <summary>A call found its version loaded (a hit), or started or waited for its load (a miss): the registry says which.</summary>
    public void RecordCacheLookup(string model, bool loadedForThisCall) =>
        (loadedForThisCall ? _cacheMisses : _cacheHits).Add(1, new KeyValuePair<string, object?>("model", model));

    public void RecordLedgerFlush(int records, TimeSpan duration, bool succeeded)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "failure");
        _ledgerFlushDuration.Record(duration.TotalSeconds, outcome);
        _ledgerFlushRecords.Record(records, outcome);
    }

    /// <summary>For batch scoring: one attempt at a shard, its rows scored and its duration.</summary>
    public void RecordShard(string model, long rows, TimeSpan duration, bool succeeded)
    {
        var label = Label(model);
        _batchRows.Add(rows, new KeyValuePair<string, object?>("model", label));
        _shardDuration.Record(duration.TotalSeconds, new TagList { { "model", label }, { "outcome", succeeded ? "success" : "failure" } });
    }
}
