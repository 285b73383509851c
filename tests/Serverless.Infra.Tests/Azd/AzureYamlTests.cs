using Serverless.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Serverless.Infra.Tests.Azd;

public sealed class AzureYamlTests
{
    private static readonly string AzureYamlPath = Path.Combine(Repository.Root, "azure.yaml");

    [NeedsSharedFact]
    public async Task AzureYaml_AgainstAzdSchema_Validates()
    {
        var result = await ValidateAsync(AzureYamlPath);

        Assert.True(result.ExitCode == 0, result.AllOutput);
        Assert.Equal("valid", result.StandardOutput.Trim());
    }

    [NeedsSharedFact]
    public async Task AzureYaml_DocumentedContainerAppsService_ValidatesToo()
    {
        // The commented-out `api` service for the Container Apps route must stay a valid azd service.
        var lines = File.ReadAllLines(AzureYamlPath);
        var start = Array.FindIndex(lines, l => l.StartsWith("#   api:", StringComparison.Ordinal));
        Assert.True(start >= 0, "azure.yaml no longer documents the Container Apps service.");
        var service = lines.Skip(start).TakeWhile(l => l.StartsWith("#   ", StringComparison.Ordinal)).Select(l => "  " + l[4..]);
        var document = Path.Combine(Path.GetTempPath(), $"azure-containerapps-{Guid.NewGuid():N}.yaml");
        await File.WriteAllLinesAsync(document, ["name: serverless", "services:", .. service]);

        try
        {
            var result = await ValidateAsync(document);
            Assert.True(result.ExitCode == 0, result.AllOutput);
        }
        finally
        {
            File.Delete(document);
        }
    }

    [Fact]
    public void AzureYaml_ApiService_IsTheDotnetFunctionProject()
    {
        var root = Load();
        var api = (YamlMappingNode)((YamlMappingNode)root["services"])["api"];

        Assert.Equal("serverless", root["name"].ToString());
        Assert.Equal("./functions/Serverless.Functions", api["project"].ToString());
        Assert.Equal("dotnet", api["language"].ToString());
        Assert.Equal("function", api["host"].ToString());
        Assert.True(File.Exists(Path.Combine(Repository.Root, "functions", "Serverless.Functions", "Serverless.Functions.csproj")));
    }

    [Theory]
    [InlineData("posix", "sh", "infra/scripts/upload-models.sh")]
    [InlineData("windows", "pwsh", "infra/scripts/upload-models.ps1")]
    public void AzureYaml_PostProvisionHook_RunsTheModelUploadScript(string platform, string shell, string script)
    {
        var hook = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Load()["hooks"])["postprovision"])[platform];

        Assert.Equal(shell, hook["shell"].ToString());
        Assert.Equal("./" + script, hook["run"].ToString());
        var text = File.ReadAllText(Path.Combine(Repository.Root, script));
        Assert.Contains("az storage blob upload-batch --auth-mode login", text);
    }

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(AzureYamlPath);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static Task<ProcessResult> ValidateAsync(string yamlPath)
    {
        Assert.True(File.Exists(Repository.AzdSchema), $"The azd schema is read in place from {Repository.AzdSchema}.");
        var tools = Repository.Metadata("InfraToolsDirectory");
        return ProcessRunner.RunAsync("node", [Path.Combine(tools, "validate-azure-yaml.mjs"), Repository.AzdSchema, yamlPath], tools);
    }
}
