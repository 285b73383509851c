using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>
/// The trigger metadata the host sends with an HTTP invocation: its HTTP trigger's binding data, which holds the route
/// values of the host's own route match (what binds a function's <c>string model</c> parameter), <c>Query</c> and
/// <c>Headers</c>. The request object itself is left out: the worker reports RpcHttpTriggerMetadataRemoved and gets the
/// request over the proxy instead.
/// </summary>
public static class HttpTriggerMetadata
{
    public static Dictionary<string, TypedData> From(BufferedRequest request, RouteValueDictionary routeValues)
    {
        var metadata = new Dictionary<string, TypedData>();
        foreach (var (name, value) in routeValues)
        {
            if (value is not null)
            {
                metadata[name] = new TypedData { String = Convert.ToString(value, CultureInfo.InvariantCulture) };
            }
        }
        var query = request.PathAndQuery.Split('?', 2) is [_, var text] ? QueryHelpers.ParseQuery(text) : [];
        metadata["Query"] = Json(query.ToDictionary(q => q.Key, q => q.Value.ToString()));
        metadata["Headers"] = Json(request.Headers.Concat(request.ContentHeaders).ToDictionary(h => h.Key, h => string.Join(",", h.Value)));
        return metadata;
    }

    private static TypedData Json(Dictionary<string, string> values) => new() { Json = JsonSerializer.Serialize(values) };
}
