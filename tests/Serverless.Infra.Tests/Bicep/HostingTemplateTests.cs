using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

[Collection(MainTemplateCollection.Name)]
public sealed class HostingTemplateTests(MainTemplateFixture fixture)
{
    private ArmTemplate Main => fixture.Template;

    [Fact]
    public void DataStorage_Account_AllowsNoSharedKeyNoPublicBlobsTls12HttpsOnly()
    {
        var account = Assert.Single(Main.Module("storage").ResourcesOfType("Microsoft.Storage/storageAccounts"));
        var properties = account["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string)properties["minimumTlsVersion"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
    }

    [Fact]
    public void DataStorage_Contents_AreTheModelsJobsQueuesAndTablesTheAppUses()
    {
        Assert.Equal("models", (string)Main.Variables["modelsContainerName"]!);
        Assert.Equal(["jobs-input", "jobs-output"], Main.Variables["jobsContainers"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("scoring-jobs", (string)Main.Variables["jobsQueueName"]!);

        var parameters = Main.ModuleParameters("storage");
        Assert.Equal("[concat(createArray(variables('modelsContainerName')), variables('jobsContainers'))]", (string)parameters["containers"]!["value"]!);
        Assert.Equal(["[variables('jobsQueueName')]", "[format('{0}-poison', variables('jobsQueueName'))]"],
            parameters["queues"]!["value"]!.AsArray().Select(v => (string)v!));
        // Jobs__Table and the metering tables <prefix>usage/callers/keys the app creates on first use.
        Assert.Equal("jobs", (string)Main.Variables["jobsTableName"]!);
        Assert.Equal("serverless", (string)Main.Variables["meteringTablePrefix"]!);
        Assert.Equal("[concat(createArray(variables('jobsTableName')), map(createArray('usage', 'callers', 'keys'), lambda('table', format('{0}{1}', variables('meteringTablePrefix'), lambdaVariables('table')))))]",
            (string)parameters["tables"]!["value"]!);
    }

    [Fact]
    public void JobsQueue_InfraAndScoreShardTrigger_NameTheSameQueue()
    {
        var trigger = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Triggers, "ScoreShard", "function.json")))!;

        Assert.Equal((string)Main.Variables["jobsQueueName"]!, (string)trigger["bindings"]![0]!["queueName"]!);
    }

    [Fact]
    public void AppSettings_EitherHostingPlan_HoldNoStorageKeyOrListKeysCall()
    {
        // The whole api module (both hosting variants) is checked: a key can hide in a variable as well as a setting.
        var api = Main.Module("api").Root.ToJsonString();

        Assert.DoesNotContain("AccountKey", api, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listKeys", api, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"AzureWebJobsStorage\"", api, StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_HostStorage_UsesTheUserAssignedIdentity()
    {
        var settings = Main.Module("api").Variables["hostStorageSettings"]!;

        Assert.Equal("managedidentity", (string)settings["AzureWebJobsStorage__credential"]!);
        Assert.Equal("[parameters('identityClientId')]", (string)settings["AzureWebJobsStorage__clientId"]!);
        foreach (var key in new[] { "__accountName", "__blobServiceUri", "__queueServiceUri", "__tableServiceUri" })
        {
            Assert.NotNull(settings["AzureWebJobsStorage" + key]);
        }
    }

    [Fact]
    public void AppSettings_Runtime_IsCustomHandlerOnFunctionsV4WithModelRepository()
    {
        var settings = Main.Module("api").Variables["serverlessSettings"]!;

        Assert.Equal("custom", (string)settings["FUNCTIONS_WORKER_RUNTIME"]!);
        Assert.Equal("~4", (string)settings["FUNCTIONS_EXTENSION_VERSION"]!);
        Assert.Equal("[format('{0}{1}', parameters('blobEndpoint'), parameters('modelsContainerName'))]", (string)settings["Models__Repository"]!);
        Assert.Contains("Jobs__AllowedContainers__", (string)Main.Module("api").Variables["allowedContainerSettings"]!);
        Assert.Equal("[parameters('jobsTableName')]", (string)settings["Jobs__Table"]!);
        Assert.Equal("[parameters('meteringTablePrefix')]", (string)settings["Metering__TablePrefix"]!);
    }

    [Fact]
    public void AppSettings_Secrets_AreKeyVaultReferences()
    {
        var premium = Main.Module("api").Variables["premiumOnlySettings"]!;

        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", (string)premium["Metering__ApimSecret"]!);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", (string)premium["Metering__AdminKey"]!);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", (string)premium["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"]!);
        // A Bicep for-loop in a property compiles to a copy element named after the property.
        var containerSecrets = Main.Module("api/functions-container-app").ResourcesOfType("Microsoft.App/containerApps").Single()
            ["properties"]!["configuration"]!["copy"]!.AsArray().Single(c => (string)c!["name"]! == "secrets")!["input"]!.AsObject();
        Assert.Equal(["name", "keyVaultUrl", "identity"], containerSecrets.Select(p => p.Key));
    }

    [Fact]
    public void ContentShare_Key_IsConfinedToACodeOnlyAccountAndKeyVault()
    {
        var contentShare = Main.Module("content-share");
        var account = Assert.Single(contentShare.ResourcesOfType("Microsoft.Storage/storageAccounts"));
        var secret = Assert.Single(contentShare.ResourcesOfType("Microsoft.KeyVault/vaults/secrets"));

        Assert.True((bool)account["properties"]!["allowSharedKeyAccess"]!);
        Assert.Contains("AccountKey=", secret["properties"]!["value"]!.ToString());
        Assert.DoesNotContain(contentShare.Outputs, o => o.Value!.ToJsonString().Contains("listKeys", StringComparison.Ordinal));
        Assert.Equal("[variables('isPremium')]", (string)Main.Resources.Single(r => (string?)r["name"] == "content-share")["condition"]!);
    }

    [Fact]
    public void PremiumPlan_Site_IsHttpsOnlyLinuxTls12WithFtpsDisabledAndScaleSettings()
    {
        var premium = Main.Module("api/functions-premium");
        var plan = Assert.Single(premium.ResourcesOfType("Microsoft.Web/serverfarms"));
        var site = Assert.Single(premium.ResourcesOfType("Microsoft.Web/sites"));
        var siteConfig = site["properties"]!["siteConfig"]!;

        Assert.True((bool)plan["properties"]!["reserved"]!);
        Assert.Equal("ElasticPremium", (string)plan["sku"]!["tier"]!);
        Assert.Equal("[parameters('maximumElasticWorkerCount')]", (string)plan["properties"]!["maximumElasticWorkerCount"]!);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        Assert.Equal("UserAssigned", (string)site["identity"]!["type"]!);
        Assert.Equal("1.2", (string)siteConfig["minTlsVersion"]!);
        Assert.Equal("Disabled", (string)siteConfig["ftpsState"]!);
        Assert.Equal("[parameters('functionAppScaleLimit')]", (string)siteConfig["functionAppScaleLimit"]!);
        Assert.Equal("[parameters('alwaysReadyInstances')]", (string)siteConfig["minimumElasticInstanceCount"]!);
        Assert.Equal("[parameters('preWarmedInstances')]", (string)siteConfig["preWarmedInstanceCount"]!);
    }

    [Fact]
    public void ContainerAppsEnvironment_GpuProfile_IsAddedOnlyWhenGpuProfileIsNotNone()
    {
        var environment = Main.Module("container-apps-environment");

        Assert.Equal("[concat(variables('consumptionProfile'), variables('gpuProfiles'))]",
            (string)Assert.Single(environment.ResourcesOfType("Microsoft.App/managedEnvironments"))["properties"]!["workloadProfiles"]!);
        Assert.Equal("Consumption", (string)environment.Variables["consumptionProfile"]![0]!["workloadProfileType"]!);
        Assert.Equal(
            "[if(equals(parameters('gpuProfile'), 'none'), createArray(), createArray(createObject('name', parameters('gpuProfileName'), 'workloadProfileType', parameters('gpuProfile'))))]",
            (string)environment.Variables["gpuProfiles"]!);
        Assert.Equal(["none", "Consumption-GPU-NC8as-T4", "Consumption-GPU-NC24-A100"],
            environment.Parameters["gpuProfile"]!["allowedValues"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void ContainerApp_Kind_IsFunctionAppWithIdentityPullAndNoInsecureIngress()
    {
        var app = Assert.Single(Main.Module("api/functions-container-app").ResourcesOfType("Microsoft.App/containerApps"));
        var configuration = app["properties"]!["configuration"]!;

        Assert.Equal("functionapp", (string)app["kind"]!);
        Assert.False((bool)configuration["ingress"]!["allowInsecure"]!);
        Assert.Equal("[parameters('identityId')]", (string)configuration["registries"]![0]!["identity"]!);
        Assert.Null(configuration["registries"]![0]!["passwordSecretRef"]);
    }

    [Fact]
    public void ContainerApp_ScaleRules_HttpConcurrencyAndIdentityBasedQueueRuleOnTheJobsQueue()
    {
        var module = Main.Module("api/functions-container-app");
        var rules = module.Variables["scaleRules"]!.AsArray();
        var queueRule = rules.Single(r => (string?)r!["custom"]?["type"] == "azure-queue")!["custom"]!;

        Assert.Contains(rules, r => r!["http"]?["metadata"]?["concurrentRequests"] is not null);
        Assert.Equal("[parameters('identityId')]", (string)queueRule["identity"]!);
        Assert.Equal("[parameters('jobsQueueName')]", (string)queueRule["metadata"]!["queueName"]!);
        Assert.Equal("[parameters('storageAccountName')]", (string)queueRule["metadata"]!["accountName"]!);
        Assert.Null(queueRule["auth"]);
        Assert.Null(queueRule["metadata"]!["connectionFromEnv"]);
        Assert.Equal("[parameters('jobsQueueName')]", (string)Main.Module("api").ModuleParameters("functions-container-app")["jobsQueueName"]!["value"]!);
        Assert.Equal("[variables('jobsQueueName')]", (string)Main.ModuleParameters("api")["jobsQueueName"]!["value"]!);
    }

    [Fact]
    public void ContainerApp_ScaleSettings_OverrideGatesTheExplicitRulesAndMinReplicasMayBeZero()
    {
        var app = Assert.Single(Main.Module("api/functions-container-app").ResourcesOfType("Microsoft.App/containerApps"));
        var scale = app["properties"]!["template"]!["scale"]!;

        Assert.Equal("[parameters('scaleRuleOverride')]", (string)scale["allowScalingRuleOverride"]!);
        Assert.Equal("[if(parameters('scaleRuleOverride'), variables('scaleRules'), createArray())]", (string)scale["rules"]!);
        Assert.Equal(0, (int)Main.Parameters["minReplicas"]!["minValue"]!);
        Assert.Equal(0, (int)Main.Parameters["minReplicas"]!["defaultValue"]!);
    }

    [Fact]
    public void ContainerApp_QueueLengthTarget_EqualsHostJsonBatchSize()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")))!;
        var queueLength = (int)Main.Module("api/functions-container-app").Parameters["queueLengthPerReplica"]!["defaultValue"]!;

        Assert.Equal((int)hostJson["extensions"]!["queues"]!["batchSize"]!, queueLength);
    }

    [Fact]
    public void ContainerApp_HostKeys_ComeFromTheSecretStoreMountedWhereTheHostReadsThem()
    {
        var app = Assert.Single(Main.Module("api/functions-container-app").ResourcesOfType("Microsoft.App/containerApps"));
        var template = ArmTemplate.Text(app["properties"]!["template"]!);
        var keys = ArmTemplate.Text(Main.Module("api/functions-container-app").Variables["hostKeySecrets"]!);

        Assert.Contains("createObject('name', 'AzureWebJobsSecretStorageType', 'value', 'containerapp')", template);
        Assert.Contains("/run/secrets/functions-keys", template);
        Assert.Contains("\"host.master\"", keys);
        Assert.Contains("\"host.function.default\"", keys);
    }
}
