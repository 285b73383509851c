using Microsoft.AspNetCore.Routing.Template;

namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>
/// Which verbs the route table serves on a path, so a request that reached no function can be told 404 (no such path)
/// or 405 with <c>Allow</c> (the path exists, the verb does not). Matched with ASP.NET Core's own template matcher, the
/// matcher both the Functions host and the standalone server route with.
/// </summary>
public static class RouteMethods
{
    private const string ManagePrefix = "manage/";
    private const string AdminPrefix = "admin/";

    private static readonly Lazy<IReadOnlyList<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)>> Routes = new(() =>
        [.. EndpointCatalog.Functions
            .Where(f => !IsCatchAll(f.Route))
            .Select(f => (new TemplateMatcher(TemplateParser.Parse(f.Route), new RouteValueDictionary()), f.Methods))]);

    /// <summary>A route that takes every path: the last resort, never a route of its own path.</summary>
    public static bool IsCatchAll(string route) => route.StartsWith("{*", StringComparison.Ordinal);

    /// <summary>The verbs served on <paramref name="path"/>, in a stable order; empty when no route matches it.</summary>
    public static IReadOnlyList<string> For(PathString path)
    {
        // The standalone server also serves /admin/... as /manage/... (the Functions host reserves /admin for itself).
        if (path.StartsWithSegments("/" + AdminPrefix.TrimEnd('/'), StringComparison.Ordinal, out var rest))
        {
            path = new PathString("/" + ManagePrefix.TrimEnd('/')).Add(rest);
        }
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (matcher, verbs) in Routes.Value)
        {
            if (matcher.TryMatch(path, new RouteValueDictionary()))
            {
                methods.UnionWith(verbs);
            }
        }
        return [.. methods];
    }
}
