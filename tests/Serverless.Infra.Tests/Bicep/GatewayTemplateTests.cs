using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
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

    [Fact]
    public void Api_Definition_IsTheCommittedOpenApiDocumentImported()
    {
        var api = Assert.Single(Gateway.ResourcesOfType("Microsoft.ApiManagement/service/apis"))["properties"]!;

        Assert.Equal("openapi+json", (string)api["format"]!);
        // loadTextContent inlines the file at build time, as a variable of the module the value names.
        var variable = VariableReference().Match((string)api["value"]!);
        Assert.True(variable.Success, (string)api["value"]!);
        Assert.Equal(File.ReadAllText(OpenApiDocumentPath).ReplaceLineEndings("\n"), ((string)Gateway.Variables[variable.Groups["name"].Value]!).ReplaceLineEndings("\n"));
        // No second route table: the operations are the document's.
        Assert.Empty(Gateway.ResourcesOfType("Microsoft.ApiManagement/service/apis/operations"));
        Assert.Null(Gateway.Variables["operations"]);
    }

    [Theory]
    [InlineData("GET", "/v2/health/live")]
    [InlineData("GET", "/v2/health/ready")]
    [InlineData("GET", "/v2/models/{model}")]
    [InlineData("GET", "/v2/models/{model}/config")]
    [InlineData("GET", "/v2/models/{model}/stats")]
    [InlineData("POST", "/v2/models/{model}/infer")]
    [InlineData("POST", "/v2/models/{model}/versions/{version}/infer")]
    [InlineData("POST", "/v2/repository/index")]
    [InlineData("POST", "/v2/repository/models/{model}/load")]
    [InlineData("POST", "/v2/repository/models/{model}/unload")]
    [InlineData("POST", "/jobs")]
    [InlineData("GET", "/jobs/{id}")]
    [InlineData("GET", "/usage")]
    public void Operations_OpenInferenceJobsAndUsage_AreExposed(string method, string urlTemplate) =>
        Assert.Contains((method, urlTemplate), ImportedOperations());

    [Fact]
    public void Operations_Imported_AreExactlyTheHttpFunctionsRoutesButTheCatchAll()
    {
        // GET routes also take HEAD (served like the GET); the document names the GET.
        var served = HttpTriggerRoutes()
            .Where(r => !r.Route.StartsWith("{*", StringComparison.Ordinal))
            .SelectMany(r => r.Methods.Where(m => m != "HEAD").Select(m => $"{m} /{r.Route}"))
            .Order(StringComparer.Ordinal);

        var imported = ImportedOperations().Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal);

        Assert.NotEmpty(imported);
        Assert.Equal(served, imported);
    }

    private static string OpenApiDocumentPath => Path.Combine(Repository.Infra, "app", "openapi.json");

    /// <summary>(verb, path template) of every operation in the document API Management imports.</summary>
    private static List<(string Method, string Path)> ImportedOperations()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(OpenApiDocumentPath));
        return [.. document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(o => o.Name is not ("parameters" or "summary" or "description" or "servers"))
                .Select(o => (o.Name.ToUpperInvariant(), path.Name)))];
    }

    // The [HttpTrigger(level, "get", ..., Route = "...")] attributes of the worker app's functions, read from source
    // (the infra tests reference no app project). routePrefix is "" (host.json), so a route is the public path.
    private static List<(string Route, string[] Methods)> HttpTriggerRoutes()
    {
        var separator = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(Path.Combine(Repository.Root, "functions", "Serverless.Functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .SelectMany(f => HttpTrigger().Matches(File.ReadAllText(f)))
            .Select(m => (m.Groups["route"].Value,
                m.Groups["method"].Captures.Select(c => c.Value.ToUpperInvariant()).ToArray()))
            .ToList();
    }

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"HttpTrigger\(\s*AuthorizationLevel\.\w+\s*,\s*(?:""(?<method>[a-zA-Z]+)""\s*,\s*)+Route\s*=\s*""(?<route>[^""]+)""")]
    private static partial Regex HttpTrigger();
}
