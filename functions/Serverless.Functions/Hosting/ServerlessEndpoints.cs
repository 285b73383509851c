using Serverless.Functions.Protocol.Http;
using Serverless.Functions.Protocol.Invocation;

namespace Serverless.Functions.Hosting;

/// <summary>The HTTP surface, in request order: error handling first, then every endpoint group.</summary>
public static class ServerlessEndpoints
{
    public static WebApplication MapServerless(this WebApplication app)
    {
        app.UseMiddleware<ErrorHandlingMiddleware>();
        // Unmatched routes and wrong methods get a JSON error too, not an empty body.
        app.UseStatusCodePages(context => ErrorResponse.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path} is not an endpoint of this server"));
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
