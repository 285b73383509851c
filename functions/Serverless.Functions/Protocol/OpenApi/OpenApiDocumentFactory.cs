using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.OpenApi;

/// <summary>
/// The OpenAPI 3.0 document of this server, built from the route table (<see cref="EndpointCatalog"/>) and each
/// function's <see cref="ApiOperationAttribute"/>: the document /openapi.json serves, /docs renders and API Management
/// imports (infra/app/openapi.json, kept equal to this by a test). Nothing here lists routes a second time.
/// </summary>
public static partial class OpenApiDocumentFactory
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    private static readonly Lazy<string> CachedJson = new(() => ToJson(Create(EndpointCatalog.Functions)));

    /// <summary>The document of this assembly's functions as JSON, built once.</summary>
    public static string Json => CachedJson.Value;

    /// <summary>
    /// The functions the document describes: every HTTP function but the catch-all (<c>Unmatched</c>, route
    /// <c>{*path}</c>), which is not an operation of the API but the 404/405 answer for every path that is none.
    /// </summary>
    public static IEnumerable<HttpFunction> Documented(IEnumerable<HttpFunction> functions) => functions.Where(f => !RouteMethods.IsCatchAll(f.Route));

    public static OpenApiDocument Create(IEnumerable<HttpFunction> functions)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "Serverless model serving",
                Version = "v2",
                Description = "ONNX models over the Open Inference Protocol (KServe v2), batch scoring jobs, usage and cost per caller, and the admin API for callers and keys. "
                    + "Keys go in the api-key header or as Authorization: Bearer; the health probes take none.",
            },
            Paths = [],
            Components = new OpenApiComponents
            {
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [ApiKeyScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "api-key", Description = "A caller's key, or the admin key." },
                    [BearerScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "The same key as Authorization: Bearer <key>." },
                },
            },
        };
        document.Components.Schemas = ApiSchemas.Build(document);
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var function in Documented(functions))
        {
            // A function without one still appears (its route and verbs are facts); a test insists every function has one.
            var documentation = function.Method.GetCustomAttribute<ApiOperationAttribute>() ?? new ApiOperationAttribute("Undocumented", function.Name);
            var path = "/" + function.Route;
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem { Parameters = [.. PathParameters(function.Route)] };
                document.Paths.Add(path, item);
            }
            var pathItem = (OpenApiPathItem)item;
            pathItem.Operations ??= [];
            tags.Add(documentation.Tag);
            // HEAD is served wherever GET is (same headers, no body); the document names GET alone.
            foreach (var verb in function.Methods.Where(m => m != "HEAD" || !function.Methods.Contains("GET")))
            {
                pathItem.Operations.Add(new HttpMethod(verb), Operation(document, function, documentation, function.Methods.Count(m => m != "HEAD") > 1 ? verb : null));
            }
        }
        document.Tags = new HashSet<OpenApiTag>(tags.Select(t => new OpenApiTag { Name = t }));
        return document;
    }

    /// <summary>
    /// The document as OpenAPI 3.0 JSON, declared 3.0.3: API Management imports 3.0.x up to 3.0.3, and 3.0.4 (what the
    /// writer declares) changed the specification's wording only, not what a document may hold.
    /// </summary>
    public static string ToJson(OpenApiDocument document)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        var json = text.ToString().ReplaceLineEndings("\n");
        const string written = "\"openapi\": \"3.0.4\"";
        if (!json.Contains(written, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The OpenAPI writer no longer declares {written}: check which version API Management imports");
        }
        return json.Replace(written, "\"openapi\": \"3.0.3\"", StringComparison.Ordinal) + "\n";
    }

    private static OpenApiOperation Operation(OpenApiDocument document, HttpFunction function, ApiOperationAttribute documentation, string? verbSuffix)
    {
        var operation = new OpenApiOperation
        {
            // The function's name: API Management names its operations after these.
            OperationId = verbSuffix is null ? function.Name : function.Name + "_" + verbSuffix.ToLowerInvariant(),
            Summary = documentation.Summary,
            Description = string.Join(" ", new[] { documentation.Description, AccessNote(function.Access) }.OfType<string>()),
            Tags = new HashSet<OpenApiTagReference> { new(documentation.Tag, document) },
            Parameters = [.. documentation.Query.Select(QueryParameter)],
            Responses = [],
        };
        if (documentation.RequestBody is { } request)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = !documentation.RequestBodyOptional,
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(request, document) } },
            };
        }
        var success = new OpenApiResponse { Description = "Success" };
        if (documentation.Response is { } response)
        {
            success.Content = new Dictionary<string, IOpenApiMediaType> { [documentation.ResponseMediaType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(response, document) } };
        }
        operation.Responses.Add(documentation.ResponseStatus.ToString(CultureInfo.InvariantCulture), success);
        operation.Responses.Add("default", new OpenApiResponse
        {
            Description = "An error: 4xx for the request, 5xx for the server, with a JSON body naming it.",
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(documentation.Error, document) } },
        });
        if (function.Access.Access != EndpointAccess.Open)
        {
            // Either scheme will do: two requirements, each one of them alone.
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
            ];
        }
        return operation;
    }

    private static string? AccessNote(EndpointAccessAttribute access)
    {
        var who = access.Access switch
        {
            EndpointAccess.Open => "Open: no key.",
            EndpointAccess.Admin => "Admin key only.",
            EndpointAccess.AdminWhenKeysRequired => "Admin key once keys are required (Metering:RequireKey); anyone otherwise.",
            EndpointAccess.Metered => "A caller's key once keys are required; metered: every call, refused ones included, is in the caller's usage.",
            _ => "A caller's key once keys are required (Metering:RequireKey).",
        };
        return access.RequiresMetering ? who + " Served only while Metering:Enabled (404 otherwise)." : who;
    }

    private static IEnumerable<IOpenApiParameter> PathParameters(string route) =>
        RouteParameter().Matches(route).Select(m => new OpenApiParameter
        {
            Name = m.Groups[1].Value,
            In = ParameterLocation.Path,
            Required = true,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });

    private static OpenApiParameter QueryParameter(string declaration)
    {
        var (name, description) = declaration.Split(':', 2) is [var n, var d] ? (n.Trim(), d.Trim()) : (declaration.Trim(), null);
        return new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex RouteParameter();
}
