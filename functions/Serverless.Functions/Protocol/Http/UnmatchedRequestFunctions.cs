using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// What no other function takes: an unknown path is a 404 and a known path with another verb a 405 with <c>Allow</c>,
/// both in the product's JSON error body. A function, not host-specific middleware, so the Functions host (which would
/// otherwise answer both with an empty 404) and the standalone server answer alike; a catch-all route has the lowest
/// precedence in both routers, so it never shadows a real route.
/// </summary>
public static class UnmatchedRequestFunctions
{
    [Function("Unmatched")]
    [EndpointAccess(EndpointAccess.Open)]
    public static Task AnswerAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = "{*path}")] HttpRequest request)
    {
        var allowed = RouteMethods.For(request.Path);
        if (allowed.Count == 0)
        {
            return ErrorResponse.WriteAsync(request.HttpContext, StatusCodes.Status404NotFound, $"{request.Method} {request.Path} is not an endpoint of this server");
        }
        return ErrorResponse.WriteAsync(request.HttpContext, StatusCodes.Status405MethodNotAllowed, $"{request.Path} does not take {request.Method}", allow: allowed);
    }
}
