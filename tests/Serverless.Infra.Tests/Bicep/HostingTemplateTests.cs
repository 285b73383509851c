using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

[Collection(MainTemplateCollection.Name)]
public sealed partial class HostingTemplateTests(MainTemplateFixture fixture)
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
        // Flex adds its deployment container, which is never one of the job containers.
        Assert.Equal("app-package", (string)Main.Variables["deploymentContainerName"]!);
        Assert.Equal("[concat(createArray(variables('modelsContainerName')), variables('jobsContainers'), if(variables('isFlex'), createArray(variables('deploymentContainerName')), createArray()))]",
            (string)parameters["containers"]!["value"]!);
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
        var queueName = ScoreShardQueueName();

        if (queueName.StartsWith('%') && queueName.EndsWith('%'))
        {
            // A %Setting% binding expression: that app setting must carry the jobs queue.
            var setting = queueName.Trim('%').Replace(":", "__", StringComparison.Ordinal);
            Assert.Equal("[parameters('jobsQueueName')]", (string?)Main.Module("api").Variables["serverlessSettings"]![setting]);
            Assert.Equal("[variables('jobsQueueName')]", (string)Main.ModuleParameters("api")["jobsQueueName"]!["value"]!);
        }
        else
        {
            Assert.Equal((string)Main.Variables["jobsQueueName"]!, queueName);
        }
    }

    // The queue the ScoreShard trigger listens on, from its [QueueTrigger] attribute (the Worker SDK writes the
    // metadata from it at build time; this project references no app project, so it reads the source).
    private static string ScoreShardQueueName()
    {
        var separator = Path.DirectorySeparatorChar;
        var queues = Directory.EnumerateFiles(Path.Combine(Repository.Root, "functions", "Serverless.Functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .SelectMany(f => QueueTrigger().Matches(File.ReadAllText(f)).Select(m => m.Groups["queue"].Value))
            .Distinct()
            .ToList();
        return Assert.Single(queues);
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
    public void AppSettings_Runtime_IsDotnetIsolatedOnFunctionsV4WithModelRepository()
    {
        var api = Main.Module("api");
        var settings = api.Variables["serverlessSettings"]!;
        var runtime = api.Variables["workerRuntimeSettings"]!;

        Assert.Equal("dotnet-isolated", (string)runtime["FUNCTIONS_WORKER_RUNTIME"]!);
        Assert.Equal("~4", (string)runtime["FUNCTIONS_EXTENSION_VERSION"]!);
        // Flex deprecates both settings: only Premium and Container Apps get them.
        Assert.Null(settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.DoesNotContain("workerRuntimeSettings", api.ModuleParameters("functions-flex")["appSettings"]!.ToJsonString());
        Assert.Contains("workerRuntimeSettings", api.ModuleParameters("functions-premium")["appSettings"]!.ToJsonString());
        Assert.Contains("workerRuntimeSettings", api.ModuleParameters("functions-container-app")["appSettings"]!.ToJsonString());
        Assert.Equal("[format('{0}{1}', parameters('blobEndpoint'), parameters('modelsContainerName'))]", (string)settings["Models__Repository"]!);
        Assert.Contains("Jobs__AllowedContainers__", (string)Main.Module("api").Variables["allowedContainerSettings"]!);
        Assert.Equal("[parameters('jobsTableName')]", (string)settings["Jobs__Table"]!);
        Assert.Equal("[parameters('meteringTablePrefix')]", (string)settings["Metering__TablePrefix"]!);
    }

    [Fact]
    public void AppSettings_Secrets_AreKeyVaultReferences()
    {
        var secrets = Main.Module("api").Variables["siteSecretSettings"]!;
        var premium = Main.Module("api").Variables["premiumOnlySettings"]!;

        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", (string)secrets["Metering__ApimSecret"]!);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", (string)secrets["Metering__AdminKey"]!);
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
    public void KeyVault_Module_CallsNoListFunction()
    {
        // bicep snapshot cannot expand this module (it loops over a secure object), so its keys are checked here:
        // it stores only the secrets main.bicep hands it.
        var keyVault = ArmTemplate.Text(Main.Module("keyvault").Root);

        Assert.DoesNotMatch(ListFunction(), keyVault);
        Assert.DoesNotMatch(ListFunction(), ArmTemplate.Text(Main.ModuleParameters("keyvault")));
    }

    [Fact]
    public void FlexPlan_Module_IsFc1WithDotnetIsolated10AndIdentityDeploymentStorage()
    {
        var flex = Main.Module("api/functions-flex");
        var plan = Assert.Single(flex.ResourcesOfType("Microsoft.Web/serverfarms"));
        var site = Assert.Single(flex.ResourcesOfType("Microsoft.Web/sites"));
        var config = site["properties"]!["functionAppConfig"]!;

        Assert.Equal("FC1", (string)plan["sku"]!["name"]!);
        Assert.Equal("FlexConsumption", (string)plan["sku"]!["tier"]!);
        Assert.Equal("dotnet-isolated", (string)config["runtime"]!["name"]!);
        Assert.Equal("10.0", (string)config["runtime"]!["version"]!);
        Assert.Equal("blobContainer", (string)config["deployment"]!["storage"]!["type"]!);
        Assert.Equal("UserAssignedIdentity", (string)config["deployment"]!["storage"]!["authentication"]!["type"]!);
        Assert.Equal("[parameters('identityId')]", (string)config["deployment"]!["storage"]!["authentication"]!["userAssignedIdentityResourceId"]!);
        Assert.Contains("'name', 'http'", (string)flex.Variables["alwaysReady"]!);
        Assert.Contains("'name', 'function:ScoreShard'", (string)flex.Variables["alwaysReady"]!);
        Assert.Null(site["properties"]!["siteConfig"]!["linuxFxVersion"]);
        Assert.Equal("[equals(parameters('hostingPlan'), 'flex')]",
            (string)Main.Module("api").Resources.Single(r => (string?)r["name"] == "functions-flex")["condition"]!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("api/functions-flex")]
    public void FlexPlan_InstanceMemory_AllowsOnly2048And4096(string module)
    {
        var parameter = Main.Module(module).Parameters["instanceMemoryMB"]!;

        Assert.Equal([2048, 4096], parameter["allowedValues"]!.AsArray().Select(v => (int)v!));
    }

    [Fact]
    public void FlexPlan_Defaults_2048MbHundredInstancesAndNoAlwaysReadyInstances()
    {
        Assert.Equal(2048, (int)Main.Parameters["instanceMemoryMB"]!["defaultValue"]!);
        Assert.Equal(100, (int)Main.Parameters["maximumInstanceCount"]!["defaultValue"]!);
        Assert.Equal(0, (int)Main.Parameters["alwaysReadyHttpInstances"]!["defaultValue"]!);
        Assert.Equal(0, (int)Main.Parameters["alwaysReadyScoreShardInstances"]!["defaultValue"]!);
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

    // [QueueTrigger("scoring-jobs")] or [QueueTrigger("%Jobs:Queue%", Connection = ...)]: the first argument.
    [GeneratedRegex(@"QueueTrigger\(\s*""(?<queue>[^""]+)""")]
    private static partial Regex QueueTrigger();

    // ARM's list* functions (listKeys, listSecrets, listAccountSas, ...).
    [GeneratedRegex(@"\blist[A-Z]\w*\(")]
    private static partial Regex ListFunction();
}
