using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.WebConsole;

/// <summary>
/// <c>GET /console</c>: the web console (models, try-it, usage charts, jobs, callers) and its scripts and styles.
/// Open: the page holds no data; every API call it makes carries the key the person entered.
/// </summary>
public static class ConsoleFunctions
{
    [Function("Console")]
    [EndpointAccess(EndpointAccess.Open)]
    [ApiOperation("Console", "The web console: models, try-it, usage and jobs (HTML)", ResponseMediaType = "text/html", Response = ApiSchemas.Text)]
    public static Task PageAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "console")] HttpRequest request) =>
        ServeAsync(request, ConsoleAssets.PageName);

    [Function("ConsoleAsset")]
    [EndpointAccess(EndpointAccess.Open)]
    [ApiOperation("Console", "A script or style sheet of the web console",
        Description = "console.js and the modules it imports, console.css: served from inside the app, so the console works with no internet.",
        ResponseMediaType = "text/javascript", Response = ApiSchemas.Text)]
    public static Task AssetAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "console/{asset}")] HttpRequest request, string asset) =>
        ServeAsync(request, asset);

    private static async Task ServeAsync(HttpRequest request, string name)
    {
        var context = request.HttpContext;
        if (ConsoleAssets.Find(name) is not { } asset)
        {
            await ErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound, $"{request.Path} is not part of the console");
            return;
        }
        context.Response.ContentType = asset.MediaType;
        context.Response.ContentLength = asset.Content.Length;
        // Revalidated on each load, so a new version of the app is never mixed with cached scripts of the last one.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (!HttpMethods.IsHead(request.Method))
        {
            await context.Response.Body.WriteAsync(asset.Content, context.RequestAborted);
        }
    }
}
