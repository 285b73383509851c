using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Routing.Template;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Bicep;

[Collection(MainTemplateCollection.Name)]
public sealed partial class GatewayTemplateTests(MainTemplateFixture fixture)
{
    private ArmTemplate Gateway => fixture.Template.Module("gateway");

    private static XDocument ApiPolicy => XDocument.Load(Path.Combine(Repository.Infra, "app", "policies", "api.xml"));

    [Fact]
    public void ApiManagement_Service_IsConsumptionTierWithMetricsEnabledDiagnostic()
    {
        var apim = fixture.Template.Module("apim");

        Assert.Equal("Consumption", (string)Assert.Single(apim.ResourcesOfType("Microsoft.ApiManagement/service"))["sku"]!["name"]!);
        Assert.True((bool)Assert.Single(apim.ResourcesOfType("Microsoft.ApiManagement/service/diagnostics"))["properties"]!["metrics"]!);
    }

    [Fact]
    public void ProductPolicy_Template_RateLimitsAndQuotasPerSubscription()
    {
        var template = (string)Gateway.Variables["productPolicyTemplate"]!;
        var policy = XDocument.Parse(template
            .Replace("__RATE_LIMIT_CALLS__", "10").Replace("__RATE_LIMIT_PERIOD__", "60")
            .Replace("__QUOTA_CALLS__", "1000").Replace("__QUOTA_PERIOD__", "86400"));
        var inbound = policy.Root!.Element("inbound")!;

        Assert.Equal("10", (string?)inbound.Element("rate-limit")!.Attribute("calls"));
        Assert.Equal("86400", (string?)inbound.Element("quota")!.Attribute("renewal-period"));
        Assert.Single(Gateway.ResourcesOfType("Microsoft.ApiManagement/service/products/policies"));
    }

    [Fact]
    public void Products_Defaults_OfferFreeAndStandardPlans()
    {
        var products = fixture.Template.Parameters["apimProducts"]!["defaultValue"]!.AsArray().Select(p => (string)p!["name"]!);

        Assert.Equal(["free", "standard"], products);
    }

    [Fact]
    public void ApiPolicy_EmitMetric_HasSubscriptionModelAndOperationDimensions()
    {
        var metric = ApiPolicy.Root!.Element("inbound")!.Element("emit-metric")!;
        var dimensions = metric.Elements("dimension").Select(d => (string)d.Attribute("name")!).ToList();

        Assert.Equal(["Subscription ID", "Operation ID", "Model"], dimensions);
        Assert.Contains("MatchedParameters", (string)metric.Elements("dimension").Last().Attribute("value")!);
    }

    [Fact]
    public void ApiPolicy_Headers_SetCallerAndStripClientSuppliedSecrets()
    {
        var headers = ApiPolicy.Root!.Element("inbound")!.Elements("set-header")
            .ToDictionary(h => (string)h.Attribute("name")!, h => (string)h.Attribute("exists-action")!);

        Assert.Equal("override", headers["X-Serverless-Caller"]);
        Assert.Equal("delete", headers["x-functions-key"]);
        Assert.Equal("delete", headers["X-Serverless-Apim-Secret"]);
    }

    [Fact]
    public void Backend_Credentials_SendFunctionKeyAndSharedSecretFromSecretNamedValues()
    {
        var backend = Assert.Single(Gateway.ResourcesOfType("Microsoft.ApiManagement/service/backends"));
        var header = backend["properties"]!["credentials"]!["header"]!;
        var namedValues = Gateway.ResourcesOfType("Microsoft.ApiManagement/service/namedValues");

        Assert.Equal("{{function-key}}", (string)header["x-functions-key"]![0]!);
        Assert.Equal("{{apim-shared-secret}}", (string)header["X-Serverless-Apim-Secret"]![0]!);
        Assert.Equal(2, namedValues.Count);
        Assert.All(namedValues, v => Assert.True((bool)v["properties"]!["secret"]!));
        Assert.True(Gateway.Parameters["apimSharedSecret"]!["type"]!.ToString() == "securestring");
    }

    [Fact]
    public void FunctionKey_FlexAndPremium_IsReadFromTheFunctionsHostOfTheSiteAtDeployment()
    {
        // Bicep inlines variables that call list*() into the resource that uses them.
        var functionKey = (string)Gateway.ResourcesOfType("Microsoft.ApiManagement/service/namedValues")
            .Single(v => (string)v["properties"]!["displayName"]! == "function-key")["properties"]!["value"]!;

        Assert.Equal("[if(equals(parameters('hostingPlan'), 'containerapps'), parameters('containerAppsHostKey'), "
            + "listKeys(format('{0}/host/default', resourceId('Microsoft.Web/sites', parameters('functionAppName'))), '2024-11-01').functionKeys.default)]",
            functionKey);
        Assert.Equal(["flex", "premium", "containerapps"], Gateway.Parameters["hostingPlan"]!["allowedValues"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void Api_Subscription_IsRequiredWithTheStandardHeader()
    {
        var api = Assert.Single(Gateway.ResourcesOfType("Microsoft.ApiManagement/service/apis"));

        Assert.True((bool)api["properties"]!["subscriptionRequired"]!);
        Assert.Equal("Ocp-Apim-Subscription-Key", (string)api["properties"]!["subscriptionKeyParameterNames"]!["header"]!);
    }

    [Theory]
    [InlineData("GET", "/v2/health/live")]
    [InlineData("GET", "/v2/health/ready")]
    [InlineData("GET", "/v2/models/{model}")]
    [InlineData("POST", "/v2/models/{model}/infer")]
    [InlineData("POST", "/v2/models/{model}/versions/{version}/infer")]
    [InlineData("POST", "/v2/repository/index")]
    [InlineData("POST", "/jobs")]
    [InlineData("GET", "/jobs/{id}")]
    [InlineData("GET", "/usage")]
    public void Operations_OpenInferenceJobsAndUsage_AreExposed(string method, string urlTemplate) =>
        Assert.Contains(Gateway.Variables["operations"]!.AsArray(),
            o => (string)o!["method"]! == method && (string)o["urlTemplate"]! == urlTemplate);

    [Fact]
    public void Operations_EveryUrlTemplate_IsServedByAnHttpFunction()
    {
        var routes = HttpTriggerRoutes();
        var unrouted = Gateway.Variables["operations"]!.AsArray()
            .Select(o => (Method: (string)o!["method"]!, Path: ((string)o["urlTemplate"]!).Replace("{model}", "mnist").Replace("{version}", "1").Replace("{id}", "job-1")))
            .Where(o => !routes.Any(r => r.Methods.Contains(o.Method) && new TemplateMatcher(r.Template, []).TryMatch(o.Path, [])))
            .Select(o => $"{o.Method} {o.Path}")
            .ToList();

        Assert.NotEmpty(routes);
        Assert.Empty(unrouted);
    }

    // The [HttpTrigger(level, "get", ..., Route = "...")] attributes of the worker app's functions, read from source
    // (the infra tests reference no app project). routePrefix is "" (host.json), so a route is the public path.
    private static List<(RouteTemplate Template, string[] Methods)> HttpTriggerRoutes()
    {
        var separator = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(Path.Combine(Repository.Root, "functions", "Serverless.Functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .SelectMany(f => HttpTrigger().Matches(File.ReadAllText(f)))
            .Select(m => (TemplateParser.Parse(m.Groups["route"].Value),
                m.Groups["method"].Captures.Select(c => c.Value.ToUpperInvariant()).ToArray()))
            .ToList();
    }

    [GeneratedRegex(@"HttpTrigger\(\s*AuthorizationLevel\.\w+\s*,\s*(?:""(?<method>[a-zA-Z]+)""\s*,\s*)+Route\s*=\s*""(?<route>[^""]+)""")]
    private static partial Regex HttpTrigger();
}
