using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Infra.Tests.Bicep;

[Collection(MainTemplateCollection.Name)]
public sealed partial class MainTemplateTests(MainTemplateFixture fixture)
{
    private ArmTemplate Main => fixture.Template;

    [Fact]
    public void Main_TargetScope_IsSubscriptionAndCreatesTheEnvironmentResourceGroup()
    {
        Assert.Contains("subscriptionDeploymentTemplate.json", (string)Main.Root["$schema"]!);
        var resourceGroup = Assert.Single(Main.ResourcesOfType("Microsoft.Resources/resourceGroups"));
        Assert.Contains("parameters('environmentName')", (string)resourceGroup["name"]!);
        Assert.Equal("rg-", (string)Main.Variables["$fxv#0"]!["resourcesResourceGroups"]!);
    }

    [Fact]
    public void Parameters_EveryTemplate_DescribesEveryParameter()
    {
        var undescribed = Main.AllTemplates
            .SelectMany(t => t.Parameters.Select(p => (t.ModulePath, Name: p.Key, Description: (string?)p.Value?["metadata"]?["description"])))
            .Where(p => string.IsNullOrWhiteSpace(p.Description))
            .Select(p => $"{(p.ModulePath.Length == 0 ? "main" : p.ModulePath)}.{p.Name}")
            .ToList();

        Assert.Empty(undescribed);
    }

    [Theory]
    [InlineData("hostingPlan", new[] { "flex", "premium", "containerapps" })]
    [InlineData("premiumSku", new[] { "EP1", "EP2", "EP3" })]
    [InlineData("gpuProfile", new[] { "none", "Consumption-GPU-NC8as-T4", "Consumption-GPU-NC24-A100" })]
    public void Parameters_Choice_AllowsExactlyTheDocumentedValues(string parameter, string[] allowed)
    {
        var values = Main.Parameters[parameter]!["allowedValues"]!.AsArray().Select(v => (string)v!);

        Assert.Equal(allowed, values);
    }

    [Fact]
    public void HostingPlan_Default_IsFlexInTheTemplateAndForAzd()
    {
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(Support.Repository.Infra, "main.parameters.json")))!;

        Assert.Equal("flex", (string)Main.Parameters["hostingPlan"]!["defaultValue"]!);
        Assert.Equal("${AZURE_HOSTING_PLAN=flex}", (string)parameters["parameters"]!["hostingPlan"]!["value"]!);
    }

    [Fact]
    public void HostingPlan_Description_SaysGpuNeedsContainerApps()
    {
        var description = (string)Main.Parameters["hostingPlan"]!["metadata"]!["description"]!;

        Assert.Contains("GPU", description);
        Assert.Contains("containerapps", description);
    }

    [Theory]
    [InlineData("AZURE_LOCATION")]
    [InlineData("AZURE_TENANT_ID")]
    [InlineData("SERVICE_API_NAME")]
    [InlineData("SERVICE_API_URI")]
    [InlineData("AZURE_STORAGE_ACCOUNT_NAME")]
    [InlineData("MODELS_CONTAINER_URL")]
    [InlineData("APIM_GATEWAY_URL")]
    [InlineData("AZURE_CONTAINER_REGISTRY_ENDPOINT")]
    [InlineData("AZURE_KEY_VAULT_NAME")]
    public void Outputs_AzdReads_AreDeclared(string output) => Assert.True(Main.Outputs.ContainsKey(output), output);

    [Fact]
    public void Outputs_Names_AreUpperSnakeCase() =>
        Assert.All(Main.Outputs.Select(o => o.Key), name => Assert.Matches(UpperSnake(), name));

    [Fact]
    public void Tags_EveryTopLevelResource_CarriesTheTagsObject()
    {
        Assert.Equal("[parameters('environmentName')]", (string)Main.Variables["tags"]!["azd-env-name"]!);
        var untagged = Main.AllTemplates
            .SelectMany(t => t.Resources
                .Where(r => (bool?)r["existing"] != true && r["tags"] is null)
                .Select(r => $"{t.ModulePath}: {(string)r["type"]!}"))
            .Where(x => x.Split(": ")[1].Split('/').Length == 2) // child resources (a/b/c) take no tags
            .Where(x => !x.EndsWith("Microsoft.Resources/deployments", StringComparison.Ordinal)
                && !x.EndsWith("Microsoft.Authorization/roleAssignments", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(untagged);
    }

    [Fact]
    public void Tags_FunctionApp_CarriesAzdServiceNameApiOnEveryPlan()
    {
        var api = Main.Module("api");

        Assert.Contains("'azd-service-name', 'api'", api.Variables["appTags"]!.ToString());
        Assert.Contains("\"azd-service-name\":\"api\"", api.ModuleParameters("functions-premium")["appTags"]!.ToJsonString());
        Assert.Contains("\"azd-service-name\":\"api\"", api.ModuleParameters("functions-flex")["appTags"]!.ToJsonString());
        Assert.Equal("[variables('appTags')]", (string)api.ModuleParameters("functions-container-app")["tags"]!["value"]!);
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex UpperSnake();
}
