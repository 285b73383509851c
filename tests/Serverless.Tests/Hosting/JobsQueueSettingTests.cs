using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serverless.Functions.Hosting;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Hosting;

/// <summary>The worker names the missing Jobs__Queue app setting at start, since the host then silently disables ScoreShard.</summary>
public sealed class JobsQueueSettingTests
{
    [Fact]
    public void ReportIfMissing_NoSetting_LogsAnErrorNamingTheAppSetting()
    {
        var logger = new ListLogger<JobsQueueSettingTests>();

        var present = JobsQueueSetting.ReportIfMissing(new ConfigurationBuilder().Build(), logger);

        Assert.False(present);
        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("Jobs__Queue", message);
        Assert.Contains("disables it", message);
    }

    [Fact]
    public void ReportIfMissing_SettingFromTheEnvironmentForm_LogsNothing()
    {
        var logger = new ListLogger<JobsQueueSettingTests>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Jobs:Queue", "scoring-jobs")]).Build();

        Assert.True(JobsQueueSetting.ReportIfMissing(configuration, logger));
        Assert.Empty(logger.Entries);
    }
}
