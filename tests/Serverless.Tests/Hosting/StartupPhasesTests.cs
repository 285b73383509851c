using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.Functions.Hosting;
using Serverless.Tests.Fakes;

namespace Serverless.Tests.Hosting;

public sealed class StartupPhasesTests
{
    [Fact]
    public async Task ReportWhenStarted_HostStarts_LogsEveryPhaseOnceAtInformation()
    {
        var phases = StartupPhases.MainEntered();
        var logger = new ListLogger<StartupPhases>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ILogger<StartupPhases>>(logger);
        using var host = builder.Build();
        phases.HostBuilt();
        phases.ReportWhenStarted(host.Services);

        await host.StartAsync();
        await host.StopAsync();

        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, level);
        // The wording tests/Serverless.Benchmarks/ColdStartPhases.cs parses.
        Assert.Matches(@"^Started \d+ ms after the process: runtime start -?\d+ ms, host build \d+ ms, host start \d+ ms$", message);
    }

    [Fact]
    public void ReportWhenStarted_HostNeverStarts_LogsNothing()
    {
        var phases = StartupPhases.MainEntered();
        var logger = new ListLogger<StartupPhases>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ILogger<StartupPhases>>(logger);
        using var host = builder.Build();
        phases.HostBuilt();

        phases.ReportWhenStarted(host.Services);

        Assert.Empty(logger.Entries);
    }
}
