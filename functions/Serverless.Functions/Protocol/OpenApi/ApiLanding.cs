using Microsoft.Net.Http.Headers;

namespace Serverless.Functions.Protocol.OpenApi;

/// <summary>
/// <c>GET /</c>: a browser (Accept names text/html) is sent to the web console; any other client gets a small JSON
/// naming the server and where its console, description, reference and health probes are.
/// </summary>
public static class ApiLanding
{
    public const string DocumentPath = "/openapi.json";
    public const string ReferencePath = "/" + ApiReferencePage.Route;
    public const string ConsolePath = "/" + WebConsole.ConsoleAssets.Route;

    public static bool IsLanding(HttpRequest request) =>
        request.Path == "/" && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));

    public static IResult Answer(HttpRequest request) =>
        WantsHtml(request)
            ? TypedResults.Redirect(ConsolePath)
            : TypedResults.Json(new
            {
                name = "serverless",
                console = ConsolePath,
                openapi = DocumentPath,
                docs = ReferencePath,
                health = new { live = "/v2/health/live", ready = "/v2/health/ready" },
            }, Http.ProtocolJson.Options);

    private static bool WantsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);
}
