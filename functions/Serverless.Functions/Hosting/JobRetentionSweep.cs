using Microsoft.Extensions.Options;
using Serverless.Core.Jobs;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Deletes job records Jobs:RetentionDays after their job finished, at start and every Jobs:RetentionSweepMinutes, so
/// the job store holds a bounded history (output files are the caller's and stay). Every instance sweeps; deleting is
/// idempotent, so instances racing on one table only repeat each other's work. A failed sweep is logged and tried at
/// the next tick.
/// </summary>
public sealed class JobRetentionSweep(IJobStore store, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobRetentionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.RetentionSweepMinutes), time);
        try
        {
            do
            {
                await SweepAsync(TimeSpan.FromDays(settings.RetentionDays), stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(TimeSpan retention, CancellationToken stoppingToken)
    {
        try
        {
            var deleted = await store.DeleteFinishedBeforeAsync(time.GetUtcNow() - retention, stoppingToken);
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} job records finished more than {Days} days ago", deleted, retention.TotalDays);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Sweeping expired job records failed; trying again at the next sweep");
        }
    }
}
