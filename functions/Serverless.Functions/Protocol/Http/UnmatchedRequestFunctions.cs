using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// What no other function takes: an unknown path is a 404 and a known path with another verb a 405 with <c>Allow</c>,
/// both in the product's JSON error body. A function, not host-specific middleware, so the Functions host (which would
/// otherwise answer both with an empty 404) and the standalone server answer alike; a catch-all route has the lowest
/// precedence in both routers, so it never shadows a real route.
/// <para>
/// It also answers <c>GET /</c> (<see cref="ApiLanding"/>), which no function of its own can: an empty
/// <c>[HttpTrigger]</c> route means "the function's name" to the Functions host, and <see cref="EndpointCatalog"/>
/// refuses an empty route for the same reason. With routePrefix empty, <c>{*path}</c> matches <c>/</c> in both hosts;
/// the Functions host shows its own home page at <c>/</c> only when no function ran.
/// </para>
/// <para>
/// Not in the OpenAPI document: it is the answer to every path that is no operation, not an operation itself.
/// </para>
/// </summary>
public static class UnmatchedRequestFunctions
{
    [Function("Unmatched")]
    [EndpointAccess(EndpointAccess.Open)]
    public static Task AnswerAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = "{*path}")] HttpRequest request)
    {
        if (ApiLanding.IsLanding(request))
        {
            return ApiLanding.Answer(request).ExecuteAsync(request.HttpContext);
        }
        var allowed = RouteMethods.For(request.Path);
        if (allowed.Count == 0)
        {
            return ErrorResponse.WriteAsync(request.HttpContext, StatusCodes.Status404NotFound, $"{request.Method} {request.Path} is not an endpoint of this server");
        }
        return ErrorResponse.WriteAsync(request.HttpContext, StatusCodes.Status405MethodNotAllowed, $"{request.Path} does not take {request.Method}", allow: allowed);
    }
}
