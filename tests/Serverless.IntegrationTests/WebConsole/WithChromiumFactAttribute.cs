namespace Serverless.Tests.WebConsole;

/// <summary>
/// A browser test: it drives Debian's Chromium (Playwright's own browser download cannot work offline), so it skips,
/// saying why, on a machine without it. <c>.ci/run</c> installs it.
/// </summary>
public sealed class WithChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public WithChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"needs Chromium at {ChromiumPath} (apt-get install chromium; .ci/run installs it)";
        }
    }
}
