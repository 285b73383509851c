using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>
/// Which HTTP function a request reaches, as the host decides before it proxies: the route prefix from host.json, then
/// the templates in precedence order (literal segments before parameters), then the methods.
/// </summary>
public sealed class HttpRouteTable
{
    private readonly List<(WorkerFunction Function, TemplateMatcher Matcher)> _routes;
    private readonly string _prefix;

    public HttpRouteTable(IEnumerable<WorkerFunction> functions, string routePrefix)
    {
        _prefix = routePrefix.Trim('/');
        _routes = functions.Where(f => f.IsHttp)
            .Select(f => (Function: f, Template: TemplateParser.Parse(f.Route)))
            .OrderBy(r => RoutePrecedence.ComputeInbound(r.Template))
            .Select(r => (r.Function, new TemplateMatcher(r.Template, new RouteValueDictionary())))
            .ToList();
    }

    /// <summary>
    /// The function for <paramref name="method"/> on <paramref name="path"/> and the route values the template took from
    /// the path, or null where the host would answer 404.
    /// </summary>
    public (WorkerFunction Function, RouteValueDictionary Values)? Find(HttpMethod method, string path)
    {
        var rest = path.TrimStart('/');
        if (_prefix.Length > 0)
        {
            if (!rest.StartsWith(_prefix + "/", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            rest = rest[(_prefix.Length + 1)..];
        }
        // The host routes the decoded path (as Kestrel hands it over), so route values arrive decoded: iris%2Dmlp is iris-mlp.
        var decoded = PathString.FromUriComponent("/" + rest);
        foreach (var (function, matcher) in _routes)
        {
            var values = new RouteValueDictionary();
            if (matcher.TryMatch(decoded, values)
                && (function.Methods.Count == 0 || function.Methods.Contains(method.Method.ToUpperInvariant())))
            {
                return (function, values);
            }
        }
        return null;
    }
}
