using Microsoft.AspNetCore.Routing.Template;
using Scalar.AspNetCore;

namespace Serverless.Functions.Protocol.OpenApi;

/// <summary>
/// Scalar's API reference page for /openapi.json, as Scalar.AspNetCore maps it (its HTML, its scripts from inside the
/// package: no CDN), but answered from a function so both hosts serve it. The worker has no endpoint routing of ours to
/// call <c>MapScalarApiReference</c> on, so Scalar maps its endpoints onto a private route builder here and
/// <see cref="ServeAsync"/> runs the one a request's path matches.
/// </summary>
public static class ApiReferencePage
{
    /// <summary>
    /// The page's path, without its slash; Scalar redirects <c>/docs</c> to <c>/docs/</c> so its relative asset paths
    /// resolve. The functions' triggers spell it out (<c>docs</c>, <c>docs/{asset}</c>): the infra tests read routes from source.
    /// </summary>
    public const string Route = "docs";

    /// <summary>The one document's name in Scalar's page (and its optional path segment, /docs/v2).</summary>
    private const string DocumentName = "v2";

    private static readonly Lazy<IReadOnlyList<(TemplateMatcher Matcher, RequestDelegate Serve)>> Endpoints = new(Map);

    /// <summary>Serves the page or one of its assets; false when the path is neither (the caller answers 404).</summary>
    public static async Task<bool> ServeAsync(HttpContext context)
    {
        foreach (var (matcher, serve) in Endpoints.Value)
        {
            var values = new RouteValueDictionary();
            // Scalar also answers /docs/{any document name} with its page; this server has one document, so any other
            // name is a 404 rather than a page that cannot load.
            if (matcher.TryMatch(context.Request.Path, values) && values.Values.All(v => v is null or "" or DocumentName))
            {
                context.Request.RouteValues = values;
                await serve(context);
                return true;
            }
        }
        return false;
    }

    private static IReadOnlyList<(TemplateMatcher, RequestDelegate)> Map()
    {
        // Scalar's handlers take what they need from the request's own services; these serve only the mapping.
        using var services = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider();
        var routes = new PrivateRoutes(services);
        routes.MapScalarApiReference("/" + Route, options =>
        {
            options.WithTitle("Serverless API reference").AddDocument(DocumentName, routePattern: "/openapi.json");
            // The page works offline, as the app does: nothing of Scalar's that calls its own cloud (telemetry, the AI
            // agent, the developer-tools bar with its deploy and SDK buttons).
            options.Telemetry = false;
            options.Agent = new ScalarAgentOptions { Disabled = true };
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
        });
        return [.. routes.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()), e.RequestDelegate!))];
    }

    private sealed class PrivateRoutes(IServiceProvider services) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => services;

        public ICollection<EndpointDataSource> DataSources { get; } = [];

        public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(services);
    }
}
