using Microsoft.Extensions.Options;
using Serverless.Core.Cache;
using Serverless.Core.Repository;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Loads Models:Preload in the background once the server listens (so the start-up probe answers at once), then
/// marks the server ready. A model that fails to load is retried until it loads or the host stops.
/// </summary>
public sealed class ModelPreloader(ModelCache cache, ServerReadiness readiness, IOptions<ModelsOptions> options, ILogger<ModelPreloader> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Each entry is a valid name (and version): ModelsOptions validated them at start-up.
        foreach (var (model, version) in options.Value.PreloadModels())
        {
            var entry = version is null ? model : $"{model}:{version}";
            while (!stoppingToken.IsCancellationRequested)
            {
                readiness.MarkNotReady(() => $"preloading {entry}" + (cache.States().FirstOrDefault(s => s.Name == model && s.State == ModelState.Loading) is { } loading
                    ? $": v{loading.Version} {loading.Reason}" : ""));
                try
                {
                    // Preloading waits as long as the load takes: readiness already says how far it is.
                    using var lease = await cache.AcquireAsync(model, version, Timeout.InfiniteTimeSpan, stoppingToken);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    readiness.MarkNotReady($"preloading {entry} failed: {e.Message}");
                    logger.LogError("Preloading {Model} failed, retrying in {Delay}: {Reason}", entry, RetryDelay, e.Message);
                    await Task.Delay(RetryDelay, stoppingToken);
                }
            }
        }
        readiness.MarkReady();
    }
}
