using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.OpenApi;

/// <summary><c>GET /docs</c>: the interactive API reference (Scalar) over /openapi.json, and the scripts it loads.</summary>
public static class ApiReferenceFunctions
{
    [Function("ApiReference")]
    [EndpointAccess(EndpointAccess.Open)]
    [ApiOperation("Reference", "The interactive API reference page (HTML)", ResponseMediaType = "text/html", Response = ApiSchemas.Text)]
    public static Task PageAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "docs")] HttpRequest request) =>
        ServeAsync(request);

    [Function("ApiReferenceAsset")]
    [EndpointAccess(EndpointAccess.Open)]
    [ApiOperation("Reference", "A script or icon of the API reference page",
        Description = "scalar.js, scalar.aspnetcore.js, favicon.svg: served from inside the app, so the page works with no internet.",
        ResponseMediaType = "text/javascript", Response = ApiSchemas.Text)]
    public static Task AssetAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "docs/{asset}")] HttpRequest request, string asset) =>
        ServeAsync(request);

    private static async Task ServeAsync(HttpRequest request)
    {
        if (!await ApiReferencePage.ServeAsync(request.HttpContext))
        {
            await ErrorResponse.WriteAsync(request.HttpContext, StatusCodes.Status404NotFound, $"{request.Path} is not part of the API reference page");
        }
    }
}
