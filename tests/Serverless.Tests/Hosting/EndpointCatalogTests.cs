using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Tests.Hosting;

/// <summary>The route table both hosts serve, as the HTTP functions' attributes declare it.</summary>
public sealed class EndpointCatalogTests
{
    private static IReadOnlyList<HttpFunction> Functions => EndpointCatalog.Functions;

    [Fact]
    public void Functions_RouteAndVerb_EachPairServedOnce()
    {
        var pairs = Functions.SelectMany(f => f.Methods.Select(m => $"{m} {f.Route}")).ToList();

        Assert.Equal(pairs.Count, pairs.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(Functions.Count, Functions.Select(f => f.Name).Distinct().Count());
    }

    [Fact]
    public void Functions_Routes_AvoidThePrefixesTheFunctionsHostReserves()
    {
        // The host rejects any function route starting with "admin" or "runtime" (azure-functions-host ScriptHost.ValidateHttpFunction).
        Assert.DoesNotContain(Functions, f => f.Route.StartsWith("admin", StringComparison.OrdinalIgnoreCase)
            || f.Route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase) || f.Route.StartsWith('/'));
    }

    [Fact]
    public void Functions_OpenAccess_OnlyHealthProbesTheApiReferenceTheConsolePageAndTheUnmatchedCatchAll()
    {
        foreach (var function in Functions)
        {
            var open = function.Route.StartsWith("v2/health/", StringComparison.Ordinal) || RouteMethods.IsCatchAll(function.Route)
                || function.Route is "openapi.json" or "docs" or "docs/{asset}"
                // The console's page and files hold no data: every call the page makes carries the person's key.
                || function.Route is "console" or "console/{asset}";
            Assert.True(open == (function.Access.Access == EndpointAccess.Open), $"{function.Name}: access {function.Access.Access}");
        }
    }

    [Fact]
    public void Functions_Every_IsAnonymousAtTheHostSoTheAppAloneAuthenticates()
    {
        foreach (var function in Functions)
        {
            var level = function.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().Single().AuthLevel;
            Assert.True(level == AuthorizationLevel.Anonymous, $"{function.Name}: {level}");
        }
    }

    [Fact]
    public void Functions_Inference_IsMeteredAndAdminApiIsAdminOnly()
    {
        Assert.All(Functions.Where(f => f.Route.EndsWith("/infer", StringComparison.Ordinal)), f => Assert.Equal(EndpointAccess.Metered, f.Access.Access));
        Assert.All(Functions.Where(f => f.Route.StartsWith("manage/", StringComparison.Ordinal)), f =>
        {
            Assert.Equal(EndpointAccess.Admin, f.Access.Access);
            Assert.True(f.Access.RequiresMetering);
        });
    }

    [Fact]
    public void Functions_ProtocolPaths_AllPresentWithTheirVerbs()
    {
        var table = Functions.SelectMany(f => f.Methods.Select(m => $"{m} {f.Route}")).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "GET v2/health/live", "GET v2/health/ready", "GET v2", "GET v2/models/stats",
            "GET v2/models/{model}", "GET v2/models/{model}/versions/{version}",
            "GET v2/models/{model}/ready", "GET v2/models/{model}/versions/{version}/ready",
            "GET v2/models/{model}/stats", "GET v2/models/{model}/versions/{version}/stats",
            "GET v2/models/{model}/config", "GET v2/models/{model}/versions/{version}/config",
            "POST v2/models/{model}/infer", "POST v2/models/{model}/versions/{version}/infer",
            "POST v2/repository/index", "POST v2/repository/models/{model}/load", "POST v2/repository/models/{model}/unload",
            "POST jobs", "GET jobs", "GET jobs/{id}", "GET usage", "GET usage/export",
            "POST manage/callers", "GET manage/callers", "POST manage/callers/{id}/keys", "DELETE manage/keys/{keyId}", "GET metrics",
        }, table);
    }
}
