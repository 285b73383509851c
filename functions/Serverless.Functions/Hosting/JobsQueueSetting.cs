namespace Serverless.Functions.Hosting;

/// <summary>
/// Under the Functions host, ScoreShard's <c>%Jobs:Queue%</c> is resolved by the host from its own app settings: the
/// app's default queue name (<c>JobsOptions.Queue</c>) is invisible to it. Without the setting the host disables the
/// function while HTTP keeps working, so jobs would be accepted and never scored: the worker says so at start.
/// </summary>
public static class JobsQueueSetting
{
    public const string Key = "Jobs:Queue";

    /// <returns>Whether the setting is there.</returns>
    public static bool ReportIfMissing(IConfiguration configuration, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(configuration[Key]))
        {
            return true;
        }
        logger.LogError("{Key} is not set (app setting Jobs__Queue): the Functions host cannot bind ScoreShard's %Jobs:Queue% and disables it, " +
            "so batch jobs would be accepted and never scored. Set Jobs__Queue in the app settings (every plan in infra/ does; " +
            "functions/Serverless.Functions/local.settings.example.json for func start)", Key);
        return false;
    }
}
