using Serverless.Functions.Protocol.Http;
using Serverless.Functions.Protocol.Invocation;

namespace Serverless.Functions.Hosting;

/// <summary>The HTTP surface, in request order: error handling first, then every endpoint group.</summary>
public static class ServerlessEndpoints
{
    public static WebApplication MapServerless(this WebApplication app)
    {
        app.UseMiddleware<ErrorHandlingMiddleware>();
        // Unmatched routes, wrong methods and requests the framework refused before an endpoint ran get a JSON error too,
        // not an empty body.
        app.UseStatusCodePages(context =>
        {
            var request = context.HttpContext.Request;
            var status = context.HttpContext.Response.StatusCode;
            return ErrorResponse.WriteAsync(context.HttpContext, status, status switch
            {
                StatusCodes.Status404NotFound => $"{request.Method} {request.Path} is not an endpoint of this server",
                StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}",
                _ => $"{request.Method} {request.Path} was refused (HTTP {status}) before it reached an endpoint: check its parameters",
            });
        });
        // Caller authentication runs for every route mapped after it (health and / stay open).
        app.MapMetering();
        app.MapHealthEndpoints();
        app.MapServerEndpoints();
        app.MapModelEndpoints();
        app.MapInferenceEndpoints();
        app.MapRepositoryEndpoints();
        app.MapJobEndpoints();
        app.MapScoreShardInvocation();
        return app;
    }
}
