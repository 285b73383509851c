using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Jobs;
using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

/// <summary>The jobs queue settings come from host.json, the Functions host's own, unless Jobs:* says otherwise.</summary>
public sealed class HostJsonQueueSettingsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "serverless-host-json-" + Guid.NewGuid().ToString("N") + ".json");

    [Fact]
    public void Seed_AppHostJson_TakesItsQueueSettings()
    {
        var options = new JobsOptions { BatchSize = 1, MaxDequeueCount = 1, VisibilityTimeoutSeconds = 1, MaxPollingIntervalSeconds = 1 };

        HostJsonQueueSettings.Seed(options, HostJsonQueueSettings.DefaultPath);

        Assert.Equal((4, 5, 30, 2.0), (options.BatchSize, options.MaxDequeueCount, options.VisibilityTimeoutSeconds, options.MaxPollingIntervalSeconds));
    }

    [Fact]
    public void Options_HostJsonAndJobsSetting_JobsSettingWinsAndHostJsonFillsTheRest()
    {
        File.WriteAllText(_path, """{ "extensions": { "queues": { "batchSize": 8, "maxDequeueCount": 9, "visibilityTimeout": "00:01:00", "maxPollingInterval": 500 } } }""");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Jobs:BatchSize"] = "2" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<JobsOptions>().Configure(options => HostJsonQueueSettings.Seed(options, _path));
        services.AddValidatedOptions<JobsOptions, JobsOptionsValidator>(JobsOptions.Section);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<JobsOptions>>().Value;

        Assert.Equal((2, 9, 60, 0.5), (options.BatchSize, options.MaxDequeueCount, options.VisibilityTimeoutSeconds, options.MaxPollingIntervalSeconds));
    }

    [Fact]
    public void Seed_NoHostJson_KeepsTheDefaults()
    {
        var options = new JobsOptions();

        HostJsonQueueSettings.Seed(options, _path);

        Assert.Equal(new JobsOptions().BatchSize, options.BatchSize);
    }

    public void Dispose() => File.Delete(_path);
}
