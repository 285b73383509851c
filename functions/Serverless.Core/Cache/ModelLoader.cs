using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Batching;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Cache;

/// <summary>
/// Loads one version: reads its config while the files are fetched, decides once how it uses the machine
/// (<see cref="BatchingLayout"/>: provider, instances, threads), opens the session with that layout, puts the
/// scheduler in front of it (the dynamic batcher, or a pass-through) and warms it up through it.
/// The registry (<see cref="ModelCache"/>) decides when, and keeps the budgets.
/// </summary>
public sealed class ModelLoader(IModelRepository repository, IModelSessionFactory sessions, InferenceStatistics statistics,
    IOptions<InferenceOptions> options, ILogger<ModelLoader> logger, TimeProvider time,
    IEmbeddingModelFactory? embeddings = null, IGenerativeModelFactory? generators = null)
{
    /// <param name="makeRoom">Called with the version's size once it is fetched, before its session exists; throws when it cannot fit.</param>
    public async Task<ILoadedModel> LoadAsync(ModelKey key, ModelFetchProgress progress, Action<long> makeRoom)
    {
        try
        {
            return await OpenAsync(key, progress, makeRoom);
        }
        catch (Exception e) when (e is not ServerlessException)
        {
            logger.LogError(e, "Loading {Model} v{Version} failed", key.Name, key.Version);
            throw new ModelLoadException($"model {key} could not be loaded: {ServerPaths.Hide(e.Message, repository.Location)}", e);
        }
        catch (ModelLoadException e) when (ServerPaths.Hide(e.Message, repository.Location) is var told && told != e.Message)
        {
            // The full message, with the paths, is for the log; the caller and the repository index get the rest.
            logger.LogError(e, "Loading {Model} v{Version} failed", key.Name, key.Version);
            throw new ModelLoadException(told, e) { RetryAfterSeconds = e.RetryAfterSeconds };
        }
    }

    private async Task<ILoadedModel> OpenAsync(ModelKey key, ModelFetchProgress progress, Action<long> makeRoom)
    {
        var started = Stopwatch.GetTimestamp();
        // The config is small and independent of the model file: read it while the file downloads.
        var configRead = repository.ReadConfigAsync(key.Name);
        var file = await repository.FetchAsync(key, progress);
        var config = await configRead;
        var fetched = Stopwatch.GetTimestamp();
        makeRoom(file.Length);
        // The kind is the folder's: ONNX Runtime GenAI's config makes a generator, which opens its own graphs.
        if (generators is not null && generators.Recognizes(file.Directory))
        {
            var generator = generators.Open(key, file, config);
            logger.LogInformation("Loaded {Model} v{Version} (generative, context {ContextLength} tokens) in {ElapsedMs} ms ({Bytes} bytes)",
                key.Name, key.Version, generator.Info.ContextLength, Stopwatch.GetElapsedTime(started).TotalMilliseconds, file.Length);
            return generator;
        }
        var layout = LayoutFor(key, config);
        var session = sessions.Open(key, file, config, layout);
        var opened = Stopwatch.GetTimestamp();
        LoadedModel loaded;
        try
        {
            loaded = new LoadedModel(key, session, config, CreateScheduler(key, session, config, layout), statistics.For(key), file.Length) { ContentId = file.ContentId };
        }
        catch
        {
            session.Dispose();
            throw;
        }
        if (config.Warmup)
        {
            try
            {
                await ModelWarmup.RunAsync(loaded);
            }
            catch (Exception e)
            {
                loaded.Retire();
                throw new ModelLoadException($"model {key}: warm-up inference failed: {e.Message}", e);
            }
        }
        loaded.LoadTime = Stopwatch.GetElapsedTime(started);
        ILoadedModel result = loaded;
        if (embeddings is not null && embeddings.Recognizes(file.Directory, config))
        {
            try
            {
                result = embeddings.Open(loaded, file.Directory, config);
            }
            catch
            {
                loaded.Retire();
                throw;
            }
        }
        logger.LogInformation("Loaded {Model} v{Version} on {ExecutionProvider} in {ElapsedMs} ms ({Bytes} bytes): fetch {FetchMs} ms, open {OpenMs} ms, warm-up {WarmupMs} ms",
            key.Name, key.Version, session.ExecutionProvider.WireName(), loaded.LoadTime.TotalMilliseconds, file.Length,
            Stopwatch.GetElapsedTime(started, fetched).TotalMilliseconds, Stopwatch.GetElapsedTime(fetched, opened).TotalMilliseconds,
            Stopwatch.GetElapsedTime(opened).TotalMilliseconds);
        return result;
    }

    /// <summary>The one place the layout is decided: the session factory gives the session its threads by it, the batcher its instances.</summary>
    private BatchingLayout LayoutFor(ModelKey key, ModelConfig config)
    {
        var threads = config.IntraOpThreads ?? (options.Value.IntraOpThreads > 0 ? options.Value.IntraOpThreads : null);
        return BatchingLayout.For(config.DynamicBatching, threads, sessions.ProviderFor(key, config), Environment.ProcessorCount);
    }

    private IModelScheduler CreateScheduler(ModelKey key, IModelSession session, ModelConfig config, BatchingLayout layout)
    {
        if (config.DynamicBatching is not { Enabled: true } batching)
        {
            return new PassThroughScheduler(session);
        }
        // Without an input there are no rows to merge by.
        if (session.Inputs.Count == 0 || !BatchDimension.LeadsEveryTensor(session))
        {
            logger.LogWarning("{Model} v{Version}: dynamic batching is configured but not every input and output has a dynamic first dimension; batching is off",
                key.Name, key.Version);
            return new PassThroughScheduler(session);
        }
        return new DynamicBatcher(key, session, batching, config.MaxBatchSize, time, layout.Instances);
    }
}
