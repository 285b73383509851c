using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;
using Serverless.Functions.Protocol.Endpoints;
using Serverless.Functions.Protocol.OpenApi;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Protocol.OpenApi;

/// <summary>The OpenAPI document generated from the route table: valid, complete, true to the Open Inference Protocol, and committed for API Management.</summary>
public sealed partial class OpenApiDocumentTests
{
    /// <summary>Where the build's copy lives: infra/app/gateway.bicep imports it into API Management.</summary>
    private static readonly string CommittedPath = Path.Combine(RepositoryPaths.Root, "infra", "app", "openapi.json");

    /// <summary>Set to 1 to rewrite <see cref="CommittedPath"/> from the code (the command the mismatch message names).</summary>
    private const string WriteVariable = "SERVERLESS_WRITE_OPENAPI";

    private static readonly string[] InferenceSchemas =
    [
        "inference_request", "request_input", "request_output", "inference_response", "response_output",
        "metadata_server_response", "metadata_model_response", "metadata_tensor",
    ];

    [Fact]
    public void Document_ReadBackWithMicrosoftOpenApi_HasNoErrorsOrWarnings()
    {
        var result = Parse(OpenApiDocumentFactory.Json);

        Assert.Empty(result.Diagnostic!.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Diagnostic.Warnings.Select(w => w.ToString()));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_0, result.Diagnostic.SpecificationVersion);
        // Every $ref resolves: the document's own validation rules, on top of the reader's.
        Assert.Empty(result.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
    }

    [Fact]
    public void Document_Operations_AreEveryHttpFunctionButTheCatchAllWithItsVerbs()
    {
        var document = Parse(OpenApiDocumentFactory.Json).Document!;
        var documented = document.Paths.SelectMany(p => p.Value.Operations!.Select(o => $"{o.Key.Method} {p.Key}")).Order(StringComparer.Ordinal);

        // HEAD goes with every GET and is served alike; the document names the GET.
        var served = EndpointCatalog.Functions
            .Where(f => !RouteMethods.IsCatchAll(f.Route))
            .SelectMany(f => f.Methods.Where(m => m != "HEAD").Select(m => $"{m} /{f.Route}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(served, documented);
        Assert.DoesNotContain(document.Paths.Keys, p => p.Contains('*'));
    }

    [Fact]
    public void Document_OperationIds_AreTheFunctionNames()
    {
        var document = Parse(OpenApiDocumentFactory.Json).Document!;
        var ids = document.Paths.SelectMany(p => p.Value.Operations!.Values.Select(o => o.OperationId!)).Order(StringComparer.Ordinal);

        Assert.Equal(EndpointCatalog.Functions.Where(f => !RouteMethods.IsCatchAll(f.Route)).Select(f => f.Name).Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public void Functions_EveryHttpFunction_IsDocumentedWhereItIsDeclared()
    {
        var schemas = typeof(ApiSchemas).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToHashSet();

        foreach (var function in EndpointCatalog.Functions.Where(f => !RouteMethods.IsCatchAll(f.Route)))
        {
            var documentation = function.Method.GetCustomAttribute<ApiOperationAttribute>();
            Assert.True(documentation is not null, $"{function.Name} has no [ApiOperation] next to its [Function]");
            Assert.True(documentation.RequestBody is null || schemas.Contains(documentation.RequestBody), $"{function.Name}: no schema {documentation.RequestBody}");
            Assert.True(documentation.Response is null || schemas.Contains(documentation.Response), $"{function.Name}: no schema {documentation.Response}");
        }
    }

    [Fact]
    public void Document_Security_HealthAndReferenceOpenEveryOtherOperationTakesApiKeyOrBearer()
    {
        var document = Parse(OpenApiDocumentFactory.Json).Document!;
        var schemes = document.Components!.SecuritySchemes!;

        Assert.Equal("api-key", schemes[OpenApiDocumentFactory.ApiKeyScheme].Name);
        Assert.Equal(ParameterLocation.Header, schemes[OpenApiDocumentFactory.ApiKeyScheme].In);
        Assert.Equal("bearer", schemes[OpenApiDocumentFactory.BearerScheme].Scheme);
        foreach (var function in EndpointCatalog.Functions.Where(f => !RouteMethods.IsCatchAll(f.Route)))
        {
            var operation = document.Paths["/" + function.Route].Operations!.Values.Single(o => o.OperationId == function.Name);
            var named = (operation.Security ?? []).SelectMany(r => r.Keys.Select(k => k.Reference.Id)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(function.Access.Access == EndpointAccess.Open ? [] : [OpenApiDocumentFactory.ApiKeyScheme, OpenApiDocumentFactory.BearerScheme], named);
        }
    }

    [Fact]
    public void Document_PathParameters_EveryRouteValueIsARequiredStringParameter()
    {
        var document = Parse(OpenApiDocumentFactory.Json).Document!;
        var item = document.Paths["/v2/models/{model}/versions/{version}/infer"];

        Assert.Equal(["model", "version"], item.Parameters!.Select(p => p.Name));
        Assert.All(item.Parameters!, p => Assert.True(p.Required && p.In == ParameterLocation.Path));
    }

    [Fact]
    public void Document_ForApiManagement_DeclaresAVersionItImportsAndNoRecursiveSchema()
    {
        using var json = JsonDocument.Parse(OpenApiDocumentFactory.Json);
        var schemas = json.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .ToDictionary(s => s.Name, s => SchemaReference().Matches(s.Value.GetRawText()).Select(m => m.Groups[1].Value).ToHashSet());

        // API Management imports OpenAPI 3.0 up to 3.0.3, and refuses schemas that refer to themselves, even through others.
        Assert.Equal("3.0.3", json.RootElement.GetProperty("openapi").GetString());
        foreach (var name in schemas.Keys)
        {
            var reached = new HashSet<string>();
            var next = new Stack<string>(schemas[name]);
            while (next.TryPop(out var current))
            {
                Assert.True(current != name, $"schema {name} refers to itself");
                if (reached.Add(current))
                {
                    foreach (var further in schemas[current])
                    {
                        next.Push(further);
                    }
                }
            }
        }
    }

    [NeedsSharedFact]
    public void InferenceSchemas_FieldNamesAndTypes_MatchTheOpenInferenceRestSpecification()
    {
        var specPath = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "schemas", "open-inference-rest.yaml"));
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var spec = OpenApiDocument.Parse(File.ReadAllText(specPath), "yaml", settings).Document!;
        var ours = Parse(OpenApiDocumentFactory.Json).Document!;

        foreach (var name in InferenceSchemas)
        {
            var expected = spec.Components!.Schemas![name];
            var actual = ours.Components!.Schemas![name];
            Assert.Equal(Shape(expected), Shape(actual));
        }
        // The two bodies the inference operations carry.
        var infer = ours.Paths["/v2/models/{model}/infer"].Operations![HttpMethod.Post];
        Assert.Equal("inference_request", ((OpenApiSchemaReference)infer.RequestBody!.Content!["application/json"].Schema!).Reference.Id);
        Assert.Equal("inference_response", ((OpenApiSchemaReference)infer.Responses!["200"].Content!["application/json"].Schema!).Reference.Id);
    }

    [Fact]
    public void CommittedDocument_ForApiManagement_EqualsTheGeneratedOne()
    {
        var generated = OpenApiDocumentFactory.Json;
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(CommittedPath, generated);
        }

        var committed = File.Exists(CommittedPath) ? File.ReadAllText(CommittedPath).ReplaceLineEndings("\n") : "";

        Assert.True(committed == generated,
            $"{CommittedPath} is not what the route table generates. Regenerate it with\n"
            + $"  {WriteVariable}=1 dotnet test tests/Serverless.Tests --filter FullyQualifiedName~{nameof(CommittedDocument_ForApiManagement_EqualsTheGeneratedOne)}\n"
            + "and commit it (infra/app/gateway.bicep imports it into API Management).");
    }

    [GeneratedRegex("\"#/components/schemas/([^\"]+)\"")]
    private static partial Regex SchemaReference();

    private static ReadResult Parse(string json) => OpenApiDocument.Parse(json, "json");

    /// <summary>Each property's name and type, following arrays to their items and references to their names.</summary>
    private static string[] Shape(IOpenApiSchema schema) =>
        [.. (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).Select(p => $"{p.Key}: {TypeOf(p.Value)}").Order(StringComparer.Ordinal)];

    private static string TypeOf(IOpenApiSchema schema) => schema switch
    {
        OpenApiSchemaReference reference => "$" + reference.Reference.Id,
        { Type: JsonSchemaType.Array } => $"array of {TypeOf(schema.Items!)}",
        _ => schema.Type?.ToString() ?? "any",
    };
}
