namespace Serverless.FunctionsHost.Tests;

/// <summary>App settings as environment variables, the way the Functions host hands them to a worker.</summary>
public static class AppSettings
{
    /// <summary>The sample repository and the given data folder; everything else at the app's defaults.</summary>
    public static Dictionary<string, string> Defaults(string dataDirectory, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["Models__Repository"] = AppOutput.SampleModels,
            ["Storage__DataDirectory"] = dataDirectory,
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>
    /// <see cref="Defaults"/> with anonymous callers allowed: under the host the app requires API keys unless told
    /// otherwise, standalone it does not, and comparing the two needs them alike.
    /// </summary>
    public static Dictionary<string, string> Sample(string dataDirectory, params (string Key, string Value)[] more) =>
        Defaults(dataDirectory, [("Metering__RequireKey", "false"), .. more]);
}
