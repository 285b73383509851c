using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

/// <summary>Builds infra/main.bicep once for all template tests.</summary>
public sealed class MainTemplateFixture : IAsyncLifetime
{
    private ArmTemplate? _template;

    internal ProcessResult Build { get; private set; } = new(-1, "", "");

    internal ArmTemplate Template => _template ?? throw new InvalidOperationException($"bicep build failed: {Build.AllOutput}");

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync("build", "main.bicep", "--stdout");
        if (Build.ExitCode == 0)
        {
            _template = ArmTemplate.Parse(Build.StandardOutput);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class MainTemplateCollection : ICollectionFixture<MainTemplateFixture>
{
    public const string Name = "main.bicep";
}
