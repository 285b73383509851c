using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Infra.Tests.Bicep;

[Collection(PlanSnapshotCollection.Name)]
public sealed partial class PlanSnapshotTests(PlanSnapshotFixture fixture)
{
    private const string Site = "Microsoft.Web/sites";
    private const string ContainerApp = "Microsoft.App/containerApps";

    [Theory]
    [MemberData(nameof(PlanSnapshotFixture.Plans), MemberType = typeof(PlanSnapshotFixture))]
    public void BicepBuildParams_EveryPlan_SucceedsWithoutDiagnostics(string plan)
    {
        var build = fixture[plan].BuildParams;

        Assert.True(build.ExitCode == 0, build.AllOutput);
        Assert.Equal("", build.StandardError.Trim());
    }

    [Fact]
    public void BicepLint_EveryPlanParameterFile_ReportsNothing()
    {
        Assert.True(fixture.Lint.ExitCode == 0, fixture.Lint.AllOutput);
        Assert.Equal("", fixture.Lint.AllOutput);
    }

    [Theory]
    [MemberData(nameof(PlanSnapshotFixture.Plans), MemberType = typeof(PlanSnapshotFixture))]
    public void BicepSnapshot_EveryPlan_EvaluatesEverythingButTheKeyVaultSecretsLoop(string plan)
    {
        var snapshot = fixture[plan];

        Assert.True(snapshot.Evaluation.ExitCode == 0, snapshot.Evaluation.AllOutput);
        // The Key Vault module loops over a secure object, which is never evaluated before deployment. It holds only
        // the secrets main.bicep hands it (HostingTemplateTests checks its compiled template calls no list function).
        var diagnostic = Assert.Single(snapshot.Diagnostics);
        Assert.Contains("NestedDeploymentShortCircuited", diagnostic);
        Assert.Contains("/providers/Microsoft.Resources/deployments/keyvault'", diagnostic);
    }

    [Theory]
    [MemberData(nameof(PlanSnapshotFixture.Plans), MemberType = typeof(PlanSnapshotFixture))]
    public void Outputs_EveryPlan_NameTheHostingPlanAndTheFunctionApp(string plan)
    {
        var snapshot = fixture[plan];
        var outputs = JsonNode.Parse(snapshot.Text)!["outputs"]!;
        var app = snapshot.ResourcesOfType(Site).Concat(snapshot.ResourcesOfType(ContainerApp)).Single();

        Assert.Equal(plan.Split('-')[0], (string)outputs["AZURE_HOSTING_PLAN"]!);
        Assert.Equal((string)app["name"]!, (string)outputs["SERVICE_API_NAME"]!);
        Assert.Equal("api", (string)app["tags"]!["azd-service-name"]!);
    }

    [Theory]
    [MemberData(nameof(PlanSnapshotFixture.KeylessPlans), MemberType = typeof(PlanSnapshotFixture))]
    public void Keys_FlexAndContainerApps_NoStorageKeyIsReadOrWrittenAnywhere(string plan)
    {
        var snapshot = fixture[plan];
        var text = snapshot.Text;

        Assert.Empty(StorageListCall().Matches(text));
        Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("DefaultEndpointsProtocol=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", text, StringComparison.Ordinal);
        var account = Assert.Single(snapshot.ResourcesOfType("Microsoft.Storage/storageAccounts"));
        Assert.False((bool)account["properties"]!["allowSharedKeyAccess"]!);
    }

    [Fact]
    public void Keys_Premium_OnlyTheContentShareSecretReadsAnAccountKey()
    {
        var snapshot = fixture["premium"];
        var calls = snapshot.Resources
            .SelectMany(r => StorageListCall().Matches(ArmTemplate.Text(r)).Select(m => (Type: (string)r["type"]!, Call: m.Value)))
            .ToList();

        var (type, call) = Assert.Single(calls);
        Assert.Equal("Microsoft.KeyVault/vaults/secrets", type);
        var codeAccount = snapshot.ResourcesOfType("Microsoft.Storage/storageAccounts")
            .Single(a => (bool)a["properties"]!["allowSharedKeyAccess"]!);
        Assert.EndsWith($"/storageAccounts/{(string)codeAccount["name"]!}'", call);
    }

    [Theory]
    [MemberData(nameof(PlanSnapshotFixture.Plans), MemberType = typeof(PlanSnapshotFixture))]
    public void WorkerRuntime_EveryPlanThatSetsIt_IsDotnetIsolated(string plan)
    {
        var snapshot = fixture[plan];
        var settings = snapshot.ResourcesOfType(Site).Select(PlanSnapshot.AppSettings)
            .Concat(snapshot.ResourcesOfType(ContainerApp).Select(PlanSnapshot.Environment))
            .Single();

        if (plan.StartsWith("flex", StringComparison.Ordinal))
        {
            // Flex takes the runtime from functionAppConfig and deprecates both settings.
            Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
            Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        }
        else
        {
            Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
            Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        }
    }

    [Fact]
    public void Premium_Site_RunsTheDotnetIsolated10StackOnElasticPremium()
    {
        var snapshot = fixture["premium"];
        var site = snapshot.Single(Site);
        var plan = snapshot.Single("Microsoft.Web/serverfarms");

        Assert.Equal("DOTNET-ISOLATED|10.0", (string)site["properties"]!["siteConfig"]!["linuxFxVersion"]!);
        Assert.Equal("ElasticPremium", (string)plan["sku"]!["tier"]!);
        Assert.Null(site["properties"]!["functionAppConfig"]);
        Assert.Equal("1", PlanSnapshot.AppSettings(site)["WEBSITE_RUN_FROM_PACKAGE"]);
    }

    [Fact]
    public void Flex_Plan_IsFc1FlexConsumptionOnLinux()
    {
        var plan = fixture["flex"].Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string)plan["sku"]!["name"]!);
        Assert.Equal("FlexConsumption", (string)plan["sku"]!["tier"]!);
        Assert.Equal("functionapp", (string)plan["kind"]!);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        Assert.Equal("2024-11-01", (string)plan["apiVersion"]!);
    }

    [Fact]
    public void Flex_Runtime_IsDotnetIsolated10InFunctionAppConfigNotSiteConfig()
    {
        var site = fixture["flex"].Single(Site);
        var properties = site["properties"]!;

        Assert.Equal("functionapp,linux", (string)site["kind"]!);
        Assert.Equal("2024-11-01", (string)site["apiVersion"]!);
        Assert.Equal("dotnet-isolated", (string)properties["functionAppConfig"]!["runtime"]!["name"]!);
        Assert.Equal("10.0", (string)properties["functionAppConfig"]!["runtime"]!["version"]!);
        // Premium-only site properties that Flex rejects.
        var siteConfig = properties["siteConfig"]!.AsObject();
        Assert.Equal(["appSettings", "minTlsVersion"], siteConfig.Select(p => p.Key).Order());
        Assert.True((bool)properties["httpsOnly"]!);
    }

    [Fact]
    public void Flex_DeploymentStorage_IsABlobContainerInTheDataAccountReadWithTheUserAssignedIdentity()
    {
        var snapshot = fixture["flex"];
        var site = snapshot.Single(Site);
        var storage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        var identityId = Assert.Single(site["identity"]!["userAssignedIdentities"]!.AsObject()).Key;
        var account = (string)Assert.Single(snapshot.ResourcesOfType("Microsoft.Storage/storageAccounts"))["name"]!;

        Assert.Equal("blobContainer", (string)storage["type"]!);
        Assert.Contains($"/storageAccounts/{account}'", (string)storage["value"]!);
        Assert.EndsWith(".primaryEndpoints.blob, 'app-package')]", (string)storage["value"]!);
        Assert.Equal("UserAssignedIdentity", (string)storage["authentication"]!["type"]!);
        Assert.Equal(identityId, (string)storage["authentication"]!["userAssignedIdentityResourceId"]!);
        Assert.Contains(snapshot.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => (string)c["name"]! == $"{account}/default/app-package");
        Assert.DoesNotContain("app-package", PlanSnapshot.AppSettings(site).Where(s => s.Key.StartsWith("Jobs__AllowedContainers__", StringComparison.Ordinal)).Select(s => s.Value));
    }

    [Fact]
    public void Flex_DeploymentContainer_ExistsOnlyOnFlex()
    {
        foreach (var plan in new[] { "premium", "containerapps-cpu" })
        {
            Assert.DoesNotContain(fixture[plan].ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
                c => ((string)c["name"]!).EndsWith("/app-package", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Flex_ScaleDefaults_2048MbHundredInstancesSixteenRequestsAndNoAlwaysReady()
    {
        var site = fixture["flex"].Single(Site);
        var scale = site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;

        Assert.Equal(2048, (int)scale["instanceMemoryMB"]!);
        Assert.Equal(100, (int)scale["maximumInstanceCount"]!);
        Assert.Equal(16, (int)scale["triggers"]!["http"]!["perInstanceConcurrency"]!);
        Assert.Empty(scale["alwaysReady"]!.AsArray());
        // Half the instance for loaded models: Models:MaxLoadedBytes counts model file bytes.
        Assert.Equal("1073741824", PlanSnapshot.AppSettings(site)["Models__MaxLoadedBytes"]);
    }

    [Fact]
    public void Flex_AlwaysReady_NamesTheHttpGroupAndTheScoreShardFunction()
    {
        var site = fixture["flex-always-ready"].Single(Site);
        var scale = site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        var alwaysReady = scale["alwaysReady"]!.AsArray().Select(a => ((string)a!["name"]!, (int)a["instanceCount"]!));

        Assert.Equal([("http", 1), ("function:ScoreShard", 2)], alwaysReady);
        Assert.Equal(4096, (int)scale["instanceMemoryMB"]!);
        Assert.Equal("2147483648", PlanSnapshot.AppSettings(site)["Models__MaxLoadedBytes"]);
    }

    [Theory]
    [InlineData("flex")]
    [InlineData("premium")]
    public void AppSettings_SitePlans_HostStorageAndSecretsUseTheIdentity(string plan)
    {
        var settings = PlanSnapshot.AppSettings(fixture[plan].Single(Site));

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", settings["Metering__ApimSecret"]);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", settings["Metering__AdminKey"]);
        Assert.Equal("scoring-jobs", settings["Jobs__Queue"]);
    }

    [Theory]
    [InlineData("flex")]
    [InlineData("flex-always-ready")]
    [InlineData("premium")]
    [InlineData("containerapps-cpu")]
    [InlineData("containerapps-gpu")]
    public void AppSettings_EveryPlan_NamesTheJobsQueueAndDisablesTheHostHomepage(string plan)
    {
        var snapshot = fixture[plan];
        var settings = snapshot.ResourcesOfType(Site).Select(PlanSnapshot.AppSettings)
            .Concat(snapshot.ResourcesOfType(ContainerApp).Select(PlanSnapshot.Environment)).Single();

        // Without Jobs__Queue the host cannot bind %Jobs:Queue% and disables ScoreShard while HTTP keeps working.
        Assert.Equal("scoring-jobs", settings["Jobs__Queue"]);
        Assert.Equal("true", settings["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public void Flex_AppSettings_CarryNoContentShareOrPackageSettings()
    {
        var settings = PlanSnapshot.AppSettings(fixture["flex"].Single(Site));

        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("WEBSITE_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("flex", "FlexConsumption")]
    [InlineData("premium", "ElasticPremium")]
    [InlineData("containerapps-cpu", null)]
    [InlineData("containerapps-gpu", null)]
    public void Hosting_EachPlan_CreatesOnlyItsOwnHost(string plan, string? appServiceTier)
    {
        var snapshot = fixture[plan];
        var serverFarms = snapshot.ResourcesOfType("Microsoft.Web/serverfarms");
        var containerApps = appServiceTier is null ? 1 : 0;

        Assert.Equal(appServiceTier is null ? [] : [appServiceTier], serverFarms.Select(f => (string)f["sku"]!["tier"]!));
        Assert.Equal(1 - containerApps, snapshot.ResourcesOfType(Site).Count);
        Assert.Equal(containerApps, snapshot.ResourcesOfType(ContainerApp).Count);
        Assert.Equal(containerApps, snapshot.ResourcesOfType("Microsoft.App/managedEnvironments").Count);
        Assert.Equal(containerApps, snapshot.ResourcesOfType("Microsoft.ContainerRegistry/registries").Count);
    }

    [Theory]
    [InlineData("containerapps-cpu", new[] { "Consumption" }, "Consumption")]
    [InlineData("containerapps-gpu", new[] { "Consumption", "Consumption-GPU-NC8as-T4" }, "gpu")]
    public void ContainerApps_WorkloadProfile_IsGpuOnlyWhenAsked(string plan, string[] profileTypes, string appProfile)
    {
        var snapshot = fixture[plan];
        var environment = snapshot.Single("Microsoft.App/managedEnvironments");
        var app = snapshot.Single(ContainerApp);

        Assert.Equal(profileTypes, environment["properties"]!["workloadProfiles"]!.AsArray().Select(p => (string)p!["workloadProfileType"]!));
        Assert.Equal(appProfile, (string)app["properties"]!["workloadProfileName"]!);
        Assert.Equal("functionapp", (string)app["kind"]!);
    }

    [Theory]
    [InlineData("flex")]
    [InlineData("premium")]
    public void Gateway_SitePlans_ReadTheFunctionHostKeyOfTheSite(string plan)
    {
        var snapshot = fixture[plan];
        var site = snapshot.Single(Site);
        var functionKey = (string)snapshot.ResourcesOfType("Microsoft.ApiManagement/service/namedValues")
            .Single(v => (string)v["properties"]!["displayName"]! == "function-key")["properties"]!["value"]!;

        Assert.Equal($"[listKeys('{(string)site["id"]!}/host/default', '2024-11-01').functionKeys.default]", functionKey);
    }

    [Fact]
    public void Gateway_ContainerApps_SendsTheProvisionedHostKey()
    {
        var functionKey = (string)fixture["containerapps-cpu"].ResourcesOfType("Microsoft.ApiManagement/service/namedValues")
            .Single(v => (string)v["properties"]!["displayName"]! == "function-key")["properties"]!["value"]!;

        // main.bicep's functionHostKey (its newGuid() default here; azd passes the Key Vault copy), never a listKeys.
        Assert.Equal("[newGuid()]", functionKey);
    }

    // A list* call (listKeys, listAccountSas, listServiceSas) whose target is a storage account: an account key.
    [GeneratedRegex(@"list\w*\('[^']*/providers/Microsoft\.Storage/[^']*'", RegexOptions.IgnoreCase)]
    private static partial Regex StorageListCall();
}
