namespace Serverless.Tests.Fixtures;

/// <summary>A fact about Unix file types (named pipes, devices): skipped, with the reason, on Windows, which has none in its file system.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "named pipes and device files are Unix file types";
        }
    }
}
