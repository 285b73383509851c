using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Host;

/// <summary>
/// The HTTP routes of Triggers/*/function.json, matched the way the Functions host does: ASP.NET Core route templates
/// (TemplateMatcher), ordered by WebJobsRouteBuilder's specificity rule (literal segments before parameters, longer
/// before shorter), first template and method that match wins. routePrefix is "" (host.json).
/// </summary>
internal sealed class FunctionRoutes
{
    private readonly List<(string Function, RouteTemplate Template, string[] Methods)> _routes;

    private FunctionRoutes(List<(string, RouteTemplate, string[])> routes) => _routes = routes;

    public static FunctionRoutes Load()
    {
        var routes = new List<(string, RouteTemplate, string[])>();
        foreach (var directory in Directory.EnumerateDirectories(Repository.Triggers))
        {
            var trigger = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "function.json")))!["bindings"]!.AsArray()
                .SingleOrDefault(b => (string?)b!["type"] == "httpTrigger");
            if (trigger is null)
            {
                continue;
            }

            var methods = trigger["methods"]!.AsArray().Select(m => ((string)m!).ToUpperInvariant()).ToArray();
            routes.Add((Path.GetFileName(directory), TemplateParser.Parse((string)trigger["route"]!), methods));
        }

        routes.Sort((x, y) => Compare(x.Item2, y.Item2));
        return new FunctionRoutes(routes);
    }

    /// <summary>The function that would handle the request, or null when the host would return 404.</summary>
    public string? Match(string method, string path)
    {
        foreach (var (function, template, methods) in _routes)
        {
            var matcher = new TemplateMatcher(template, new RouteValueDictionary());
            if (matcher.TryMatch(path, new RouteValueDictionary()) && methods.Contains(method))
            {
                return function;
            }
        }

        return null;
    }

    // Same ordering as Microsoft.Azure.WebJobs.Extensions.Http.WebJobsRouteBuilder.RouteComparison.
    private static int Compare(RouteTemplate x, RouteTemplate y)
    {
        for (var i = 0; i < x.Segments.Count; i++)
        {
            if (y.Segments.Count <= i)
            {
                return -1;
            }

            var xPart = x.Segments[i].Parts[0];
            var yPart = y.Segments[i].Parts[0];
            if (!xPart.IsParameter && yPart.IsParameter)
            {
                return -1;
            }

            if (xPart.IsParameter && !yPart.IsParameter)
            {
                return 1;
            }

            if (xPart.IsParameter)
            {
                var constraints = xPart.InlineConstraints.Count().CompareTo(yPart.InlineConstraints.Count());
                if (constraints != 0)
                {
                    return -constraints;
                }
            }
            else
            {
                var text = string.Compare(xPart.Text, yPart.Text, StringComparison.OrdinalIgnoreCase);
                if (text != 0)
                {
                    return text;
                }
            }
        }

        return y.Segments.Count > x.Segments.Count ? 1 : 0;
    }
}
