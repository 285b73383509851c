using System.Text.Json;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>The host's reading of host.json that the stand-in needs: extensions.http.routePrefix, default "api".</summary>
public static class HostJson
{
    public static string RoutePrefix(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return json.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
                ? prefix.GetString() ?? ""
                : "api";
    }
}
